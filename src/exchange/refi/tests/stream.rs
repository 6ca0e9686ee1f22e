//! The project stream hands each source over as soon as it closes: the sink holds one source
//! at a time, and a project's size never has to fit in memory.

use super::super::{
    Limits, PositionMode, ProjectSink, RefiError, RefiProject, RefiSource, stream_qdpx,
};
use super::{TempDir, make_zip};

#[derive(Default)]
struct Events(Vec<String>);

impl ProjectSink for Events {
    type Error = RefiError;

    fn head(&mut self, head: &RefiProject) -> Result<(), RefiError> {
        self.0.push(format!(
            "head: {} code(s), {} case(s)",
            head.codes.len(),
            head.cases.len()
        ));
        Ok(())
    }

    fn source(&mut self, source: RefiSource) -> Result<(), RefiError> {
        self.0.push(format!(
            "source {}: {} selection(s), text {:?}",
            source.name,
            source.selections.len(),
            source.text
        ));
        Ok(())
    }

    fn tail(&mut self, tail: RefiProject) -> Result<(), RefiError> {
        self.0.push(format!("tail: {} note(s)", tail.notes.len()));
        Ok(())
    }
}

#[test]
fn sources_arrive_one_by_one_between_head_and_tail() {
    let code = "CCCCCCCC-0000-0000-0000-000000000001";
    let source = |n: u32, text: &str, sels: usize| {
        let sels: String = (0..sels)
            .map(|i| {
                format!(
                    r#"<PlainTextSelection guid="BBBBBBBB-0000-0000-{n:04}-{i:012}" startPosition="0" endPosition="4"><Coding guid="DDDDDDDD-0000-0000-{n:04}-{i:012}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>"#
                )
            })
            .collect();
        format!(
            r#"<TextSource guid="AAAAAAAA-0000-0000-0000-{n:012}" name="S{n}"><PlainTextContent>{text}</PlainTextContent>{sels}</TextSource>"#
        )
    };
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<CodeBook><Codes><Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>
<Cases><Case guid="EEEEEEEE-0000-0000-0000-000000000001" name="P1"><SourceRef targetGUID="AAAAAAAA-0000-0000-0000-000000000002"/></Case></Cases>
<Sources>{}{}<PDFSource guid="FFFFFFFF-0000-0000-0000-000000000001" name="pdf"/></Sources>
<Notes><Note guid="99999999-0000-0000-0000-000000000001" name="n"><PlainTextContent>memo</PlainTextContent></Note></Notes>
</Project>"#,
        source(1, "word one", 3),
        source(2, "word two", 2)
    );
    let dir = TempDir::new();
    let path = make_zip(&dir, "s.qdpx", &[("project.qde", qde.as_bytes())]);
    let mut events = Events::default();
    let adj = stream_qdpx(&path, &Limits::default(), PositionMode::Auto, &mut events).unwrap();
    assert_eq!(
        events.0,
        [
            "head: 1 code(s), 1 case(s)",
            "source S1: 3 selection(s), text \"word one\"",
            "source S2: 2 selection(s), text \"word two\"",
            "tail: 1 note(s)",
        ]
    );
    assert!(adj.mentions("1 non-text source(s)"), "{adj:?}");
}
