//! Transcripts as real tools write them (tests/data/transcripts/, each written byte for byte
//! the way its tool does: CRLF, BOM, NBSP, blank lines, cue settings, trailers — see the
//! comments in tests/data/transcripts/README.md). Each must import with the right speakers,
//! turn boundaries, timestamps and complete, unduplicated text; and the CLI must say what it
//! took, show it without writing (`--dry-run`), and take labels it is told to.

mod common;

use common::TempStudy;
use std::path::PathBuf;
use thematic::import::{
    ImportOptions, ParsedTranscript, SpeakerRule, parse_transcript, parse_transcript_with,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/transcripts")
        .join(name)
}

fn parse(name: &str) -> ParsedTranscript {
    let bytes = std::fs::read(fixture(name)).unwrap();
    parse_transcript(name, &bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (speaker, time, text) of every turn.
fn turns(p: &ParsedTranscript) -> Vec<(Option<String>, Option<i64>, String)> {
    (0..p.turns.len())
        .map(|i| {
            (
                p.turns[i].speaker.clone(),
                p.turns[i].start_ms,
                p.turn_text(i).unwrap(),
            )
        })
        .collect()
}

fn t(speaker: &str, ms: Option<i64>, text: &str) -> (Option<String>, Option<i64>, String) {
    let speaker = (!speaker.is_empty()).then(|| speaker.to_string());
    (speaker, ms, text.to_string())
}

/// Every word of the file's speech appears exactly once across the turns, in order.
fn words(p: &ParsedTranscript) -> Vec<String> {
    turns(p)
        .iter()
        .flat_map(|(_, _, s)| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

#[test]
fn zoom_vtt_names_with_roles_pronouns_and_tags() {
    let p = parse("zoom_roles.vtt");
    assert_eq!(
        turns(&p),
        vec![
            t(
                "Jane Doe (SL)",
                Some(1_350),
                "Okay, welcome everyone, thanks for joining us today. We'll start with a quick round of introductions."
            ),
            t(
                "Sam (Participant 3)",
                Some(9_600),
                "Hi, I'm Sam. I use the clinic on Tuesdays."
            ),
            t(
                "Dr. Doe (she/her)",
                Some(12_500),
                "And I'm the GP there: I see most of you."
            ),
            t(
                "Sam (Participant 4)",
                Some(16_800),
                "I'm the other Sam, hello."
            ),
            t(
                "Sam (Participant 3)",
                Some(19_300),
                "We're not related, I promise."
            ),
            t("Jane Doe (SL)", Some(23_000), "Great. First question."),
            t("Dr. Doe (she/her)", Some(25_900), "Go ahead."),
            t("Sam (Participant 4)", Some(28_500), "Sure."),
        ]
    );
    assert_eq!(p.turns[0].end_ms, Some(8_940));
}

#[test]
fn zoom_saved_captions_time_moves_to_the_turn() {
    let p = parse("zoom_saved_captions.txt");
    let clock = |h: i64, m: i64, s: i64| Some(((h * 60 + m) * 60 + s) * 1000);
    assert_eq!(
        turns(&p),
        vec![
            t("Jane Doe", clock(19, 0, 25), "Okay, can everyone hear me?"),
            t(
                "Sam (Participant 3)",
                clock(19, 0, 31),
                "Yes, loud and clear."
            ),
            t(
                "Jane Doe",
                clock(19, 0, 36),
                "Lovely. Let's get started then, it's just after seven."
            ),
            t(
                "Ali Khan",
                clock(19, 1, 2),
                "Sorry I'm late, the bus was delayed."
            ),
        ]
    );
}

#[test]
fn otter_txt_and_its_trailer() {
    let p = parse("otter_export.txt");
    assert_eq!(p.format.name(), "otter");
    assert_eq!(
        turns(&p),
        vec![
            t(
                "Jane Doe",
                Some(0),
                "Welcome, everyone. So we're recording now, I think we met at 10:30 last time."
            ),
            t(
                "Speaker 2",
                Some(14_000),
                "Yeah. That was the session about the waiting room."
            ),
            t(
                "Jane Doe",
                Some(21_000),
                "Right. And today we want to talk about the pharmacy.\nAnyone want to start?"
            ),
            t("Speaker 2", Some(3_723_000), "I'll go."),
            t("", None, "Transcribed by https://otter.ai"),
        ]
    );
}

#[test]
fn otter_docx_speaker_paragraphs() {
    let p = parse("otter_export.docx");
    let got = turns(&p);
    // Otter's header paragraphs (title, date, keywords, speakers) stay unlabelled text.
    assert_eq!(got[0], t("", None, "Clinic focus group 1"));
    assert!(got[..6].iter().all(|(s, _, _)| s.is_none()), "{got:?}");
    assert_eq!(
        got[6..].to_vec(),
        vec![
            t(
                "Jane Doe",
                Some(0),
                "Welcome, everyone. We started at 10:02 today."
            ),
            t(
                "Speaker 2",
                Some(12_000),
                "Thanks. I\u{2019}ll go first.\nIt\u{2019}s the bus that\u{2019}s the problem."
            ),
            t("Jane Doe", Some(3_723_000), "Thank you all."),
            t("", None, "Transcribed by https://otter.ai"),
        ]
    );
    assert!(!p.text.contains("Jane Doe  00:00"), "{}", p.text);
}

#[test]
fn youtube_rolling_captions_give_every_word_once() {
    let p = parse("youtube_auto.en.vtt");
    assert_eq!(
        words(&p).join(" "),
        "so do your kids think your job is cool or is it boring they think it's boring"
    );
    assert_eq!(p.turns.len(), 1);
    assert_eq!(p.turns[0].start_ms, Some(160));
    assert_eq!(p.turns[0].end_ms, Some(8_000));
    assert!(p.notes.iter().any(|n| n.contains("rolling captions")));
}

#[test]
fn youtube_captions_converted_to_srt_too() {
    let p = parse("youtube_auto.en.srt");
    assert_eq!(
        words(&p).join(" "),
        "so do your kids think your job is cool or is it boring they think it's boring"
    );
    assert_eq!(p.turns[0].start_ms, Some(160));
}

#[test]
fn teams_voices() {
    let p = parse("teams.vtt");
    assert_eq!(
        turns(&p),
        vec![
            t(
                "Jane Doe",
                Some(3_215),
                "Good morning, can you all see my screen?"
            ),
            t(
                "Ali Khan",
                Some(7_105),
                "Yes, we can. It's a bit small though."
            ),
        ]
    );
}

#[test]
fn rev_and_descript() {
    let p = parse("rev_export.txt");
    assert_eq!(
        turns(&p),
        vec![
            t("Jane Doe", Some(0), "Thanks for coming in today."),
            t("Speaker 2", Some(4_000), "No problem. Happy to help."),
            t("Jane Doe", Some(4_329_000), "That's everything, thank you."),
        ]
    );
    let p = parse("descript_export.txt");
    assert_eq!(
        turns(&p),
        vec![
            t("Jane Doe", Some(0), "So, tell me about the first visit."),
            t(
                "Ali Khan",
                Some(4_000),
                "It was fine, honestly. A bit rushed."
            ),
            t("Jane Doe", Some(9_000), "Rushed how?"),
            t(
                "Ali Khan",
                Some(11_000),
                "The doctor kept looking at the clock."
            ),
        ]
    );
}

#[test]
fn whisperx_srt_and_vtt() {
    for name in ["whisperx.srt", "whisperx.vtt"] {
        let p = parse(name);
        let got = turns(&p);
        assert_eq!(
            got[0],
            t("SPEAKER_00", Some(31), "Hello and welcome to the group."),
            "{name}"
        );
        assert_eq!(got[1].0.as_deref(), Some("SPEAKER_01"), "{name}");
        assert!(got[1].2.starts_with("Thanks for having us."), "{name}");
        assert_eq!(
            got.last().unwrap(),
            &t("SPEAKER_00", Some(7_639), "Let's begin."),
            "{name}"
        );
        assert!(!p.text.contains('['), "{name}: {}", p.text);
    }
}

#[test]
fn whisperx_json_segments() {
    let p = parse("whisperx.json");
    assert_eq!(p.format.name(), "json");
    assert_eq!(
        turns(&p),
        vec![
            t(
                "SPEAKER_00",
                Some(31),
                "Hello and welcome to the caf\u{e9} group."
            ),
            t(
                "SPEAKER_01",
                Some(2_893),
                "Thanks for having us. It's good to be here."
            ),
            t("", Some(7_200), "Mm-hmm."),
            t("SPEAKER_00", Some(7_639), "Let's begin."),
        ]
    );
    assert!(p.notes.iter().any(|n| n.contains("had no speaker")));
}

#[test]
fn word_typed_numeric_and_letter_labels() {
    let expect = |p: &ParsedTranscript| {
        let speakers: Vec<Option<String>> = p.turns.iter().map(|t| t.speaker.clone()).collect();
        speakers
            .into_iter()
            .map(|s| s.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let p = parse("word_numeric_labels.txt");
    assert_eq!(
        expect(&p),
        vec![
            "",
            "Interviewer",
            "27",
            "33",
            "M2",
            "R1",
            "Interviewer",
            "R1",
            "27",
            "33",
            "M2"
        ]
    );
    // The NBSP after "27:" is not speech; the annotation stays with the turn before it, and
    // the import says it was not taken as a speaker.
    assert_eq!(
        p.turn_text(2).unwrap(),
        "I will. The clinic is too far for me."
    );
    assert_eq!(
        p.turn_text(10).unwrap(),
        "I give people lifts sometimes.\nNote: the recorder was moved here."
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("1 line(s) looked like speaker labels")
                && n.contains("line 13: 'Note: the recorder was moved here.'")),
        "{:?}",
        p.notes
    );
    let p = parse("word_numeric_labels.docx");
    assert_eq!(
        expect(&p),
        vec!["", "F", "27", "33", "M2", "R1", "F", "27", "33", "M2", "R1"]
    );
    assert_eq!(
        p.turn_text(2).unwrap(),
        "I walk, it\u{2019}s about twenty minutes."
    );
    assert_eq!(
        p.turn_text(4).unwrap(),
        "I drive, but parking is a nightmare.\nAnd it costs four pounds now."
    );
    assert_eq!(p.turn_text(5).unwrap(), "Same, I gotta park on the street.");
}

#[test]
fn forced_labels_override_the_heuristics() {
    let bytes = std::fs::read(fixture("word_numeric_labels.txt")).unwrap();
    let options = ImportOptions {
        format: None,
        speakers: SpeakerRule::names("Interviewer,27,33,Note").unwrap(),
    };
    let p = parse_transcript_with("w.txt", &bytes, &options).unwrap();
    let speakers: Vec<&str> = p
        .turns
        .iter()
        .filter_map(|t| t.speaker.as_deref())
        .collect();
    assert_eq!(
        speakers,
        vec!["Interviewer", "27", "33", "Interviewer", "27", "33", "Note"]
    );
    // M2 and R1 were not named: their lines are speech of the turn before.
    assert_eq!(
        p.turn_text(3).unwrap(),
        "Same here.\nM2: It's fine for me, I drive.\nR1: I take the bus, it's an hour."
    );
    let options = ImportOptions {
        format: None,
        speakers: SpeakerRule::pattern(r"^(?P<speaker>[A-Z]\d|\d\d):\s*").unwrap(),
    };
    let p = parse_transcript_with("w.txt", &bytes, &options).unwrap();
    let speakers: Vec<&str> = p
        .turns
        .iter()
        .filter_map(|t| t.speaker.as_deref())
        .collect();
    assert_eq!(
        speakers,
        vec!["27", "33", "M2", "R1", "R1", "27", "33", "M2"]
    );
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cli_reports_speakers_and_unaccepted_labels() {
    let study = TempStudy::new();
    let file = fixture("word_numeric_labels.txt");
    let out = study.cmd().arg("import").arg(&file).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(
            "  speakers: Interviewer 2 turns, 27 2, 33 2, M2 2, R1 2; 1 unlabelled turn(s)"
        ),
        "{text}"
    );
    assert!(
        text.contains("1 line(s) looked like speaker labels but were kept as speech"),
        "{text}"
    );
    assert!(text.contains("--speakers"), "{text}");
}

#[test]
fn cli_dry_run_writes_nothing() {
    let study = TempStudy::new();
    let before = study.fingerprint();
    let out = study
        .cmd()
        .args(["import", "--dry-run"])
        .arg(fixture("zoom_roles.vtt"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.starts_with("would import zoom_roles (zoom_roles.vtt, vtt): 8 turns, 4 speakers"),
        "{text}"
    );
    assert!(
        text.contains("speakers: Jane Doe (SL) 2 turns, Sam (Participant 3) 2, Dr. Doe (she/her) 2, Sam (Participant 4) 2"),
        "{text}"
    );
    assert!(
        text.contains(
            "     2 [00:09] Sam (Participant 3): Hi, I'm Sam. I use the clinic on Tuesdays."
        ),
        "{text}"
    );
    assert!(text.contains("dry run: nothing was written"), "{text}");
    assert_eq!(study.fingerprint(), before);
}

#[test]
fn cli_forced_speakers_and_pattern() {
    let study = TempStudy::new();
    let file = study.write("fg.txt", "F: hello all\n27: hi\n28: hey\nNote: so\n");
    let out = study
        .cmd()
        .args(["import", "--speakers", "F,27,28"])
        .arg(&file)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("speakers: F 1 turn, 27 1, 28 1"), "{text}");
    let docs = study.json(&["show", "fg", "--format", "json"]);
    assert_eq!(docs["turns"][2]["text"], "hey\nNote: so");
    let file = study.write("fg2.txt", "<A> hello\n<B> hi\n");
    let out = study
        .cmd()
        .args(["import", "--label-pattern", r"<(\w)>\s*"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(stdout(&out).contains("speakers: A 1 turn, B 1"));
    let out = study
        .cmd()
        .args(["import", "--label-pattern", "^[A-Z]:"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("capture group"));
}

#[test]
fn show_prints_paragraph_breaks_as_lines_not_replacement_characters() {
    let study = TempStudy::new();
    study
        .cmd()
        .arg("import")
        .arg(fixture("word_numeric_labels.docx"))
        .assert()
        .success();
    let out = study
        .cmd()
        .args(["show", "word_numeric_labels"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(!text.contains('\u{FFFD}'), "{text}");
    assert!(
        text.contains("I drive, but parking is a nightmare.\n     And it costs four pounds now."),
        "{text}"
    );
}

/// Issue 14: 25k/50k/100k distinct speakers took 0.5/2.3/10.9 s (a `contains` on a list per
/// turn) and 1e6 did not finish. Speaker bookkeeping is now a map: 200k distinct speakers
/// parse and count in seconds even in a debug build, where the quadratic version needed
/// 2·10^10 comparisons.
#[test]
fn many_distinct_speakers_cost_linear_time() {
    let n = 200_000;
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..n {
        let s = i % 3600;
        vtt.push_str(&format!(
            "00:{:02}:{:02}.000 --> 00:{:02}:{:02}.500\n<v Speaker {i}>hello {i}</v>\n\n",
            s / 60,
            s % 60,
            s / 60,
            s % 60
        ));
    }
    let started = std::time::Instant::now();
    let p = parse_transcript("many.vtt", vtt.as_bytes(), None).unwrap();
    let (speakers, counts, unlabelled) = thematic::import::study::speaker_counts(&p);
    assert_eq!(speakers.len(), n);
    assert!(counts.iter().all(|&c| c == 1));
    assert_eq!(unlabelled, 0);
    assert_eq!(speakers[n - 1], format!("Speaker {}", n - 1));
    let took = started.elapsed();
    assert!(took.as_secs() < 60, "{n} speakers took {took:?}");
}

/// Labels in a shape the matcher does not know (`F – …`, `27. …`) are not guessed at, but the
/// import says they look like glued speakers, and a pattern takes them.
#[test]
fn unknown_label_shapes_are_reported_not_glued_silently() {
    let text = "Focus group 4\n\nF – So, how do you get there?\n27. I walk.\n33. Bus.\nF – And back?\n27. Same.\n33. Taxi.\nF – Thanks.\n";
    let p = parse_transcript("dash.txt", text.as_bytes(), None).unwrap();
    assert!(p.turns.iter().all(|t| t.speaker.is_none()));
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("7 line(s) start with a repeated tag")
                && n.contains("line 3: 'F – So, how do you get there?'")
                && n.contains("--label-pattern")),
        "{:?}",
        p.notes
    );
    let options = ImportOptions {
        format: None,
        speakers: SpeakerRule::pattern(r"^(F|\d+)(?: –|\.)\s*").unwrap(),
    };
    let p = parse_transcript_with("dash.txt", text.as_bytes(), &options).unwrap();
    let speakers: Vec<&str> = p
        .turns
        .iter()
        .filter_map(|t| t.speaker.as_deref())
        .collect();
    assert_eq!(speakers, vec!["F", "27", "33", "F", "27", "33", "F"]);
    assert_eq!(p.turn_text(2).unwrap(), "I walk.");
}
