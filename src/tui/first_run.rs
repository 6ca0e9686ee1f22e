//! Who is coding, on the workbench's first start: every coding is credited to a coder, so when
//! nothing names one (no `--coder`, no `$THEMATIC_CODER`, no `coder` in config.toml) the
//! workbench asks — as git asks for user.name — offering the login name when there is one, and
//! stores the answer in config.toml so it is asked once. Before this, an unset `$USER` credited
//! all work to "coder".

use crate::Result;
use crate::config::Config;
use std::io::{BufRead, Write};
use std::path::Path;

/// The coder name for the workbench when `--coder` was not given.
pub fn coder_name() -> Result<String> {
    let env = |v: &str| {
        std::env::var(v)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(name) = env("THEMATIC_CODER") {
        return Ok(name);
    }
    if let Some(name) = Config::load().coder.filter(|c| !c.trim().is_empty()) {
        return Ok(name);
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        // Nobody to ask: the workbench then refuses to start without a terminal anyway.
        return Ok(crate::config::default_coder());
    }
    let login = ["USER", "LOGNAME", "USERNAME"].iter().find_map(|v| env(v));
    let config = crate::config::config_dir().map(|d| d.join("config.toml"));
    let stdin = std::io::stdin();
    ask_and_store(
        &mut stdin.lock(),
        &mut std::io::stderr(),
        config.as_deref(),
        login,
    )
}

/// Asks for the name on `input` (prompts on `out`), then writes `coder = "…"` to `config`.
pub fn ask_and_store(
    input: &mut impl BufRead,
    out: &mut impl Write,
    config: Option<&Path>,
    login: Option<String>,
) -> Result<String> {
    let _ = writeln!(
        out,
        "Thematic credits every coding and memo to a coder. This is your first start here."
    );
    let mut name = None;
    for _ in 0..3 {
        match &login {
            Some(l) => write!(out, "Your name as a coder [{l}]: ")?,
            None => write!(out, "Your name as a coder: ")?,
        }
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let answer = match line.trim() {
            "" => match &login {
                Some(l) => l.clone(),
                None => continue,
            },
            a => a.to_string(),
        };
        match crate::study::validate_coder_name(&answer) {
            Ok(n) => {
                name = Some(n);
                break;
            }
            Err(e) => writeln!(out, "{e}")?,
        }
    }
    let Some(name) = name else {
        return Err(crate::invalid!(
            "no coder name given: start with --coder NAME, or set coder = \"NAME\" in config.toml"
        ));
    };
    match config {
        Some(path) => match store(path, &name) {
            Ok(()) => writeln!(
                out,
                "Saved coder = \"{name}\" in {} (change it there, or use --coder for one session).",
                path.display()
            )?,
            Err(e) => writeln!(
                out,
                "Coding as {name} this time; could not save it in {}: {e}",
                path.display()
            )?,
        },
        None => writeln!(out, "Coding as {name} (no config folder to save it in).")?,
    }
    Ok(name)
}

/// Adds `coder = "name"` to config.toml (created 0600), keeping what is there. A file that
/// does not parse is left alone: the line would only be one more error in it.
fn store(path: &Path, name: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    Config::parse(&existing)
        .map_err(|e| crate::invalid!("it does not parse ({e}); fix it first"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let escaped: String = name
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c => vec![c],
        })
        .collect();
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("coder = \"{escaped}\"\n"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())?;
    // The answer must read back as written, or the next start would ask again.
    match Config::parse(&text) {
        Ok(c) if c.coder.as_deref() == Some(name) => Ok(()),
        _ => Err(crate::invalid!("the saved name does not read back")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_offers_the_login_and_stores_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("thematic/config.toml");
        let mut out = Vec::new();
        let name = ask_and_store(
            &mut "Sue \"Q\" Smith\n".as_bytes(),
            &mut out,
            Some(&path),
            None,
        )
        .unwrap();
        assert_eq!(name, "Sue \"Q\" Smith");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            Config::parse(&text).unwrap().coder.as_deref(),
            Some("Sue \"Q\" Smith")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // An empty answer takes the login name; existing settings are kept.
        std::fs::write(&path, "agreement_thresholds = [0.6, 0.8]").unwrap();
        let name = ask_and_store(
            &mut "\n".as_bytes(),
            &mut Vec::new(),
            Some(&path),
            Some("root".into()),
        )
        .unwrap();
        assert_eq!(name, "root");
        let c = Config::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(c.coder.as_deref(), Some("root"));
        assert_eq!(c.agreement_thresholds, Some([0.6, 0.8]));
        // Without a login, empty answers are asked again; end of input is an error that says
        // how to name the coder.
        let e = ask_and_store(&mut "\n\n".as_bytes(), &mut Vec::new(), None, None).unwrap_err();
        assert!(e.to_string().contains("--coder"), "{e}");
        let prompts = String::from_utf8(out).unwrap();
        assert!(prompts.contains("Your name as a coder: "), "{prompts}");
        assert!(prompts.contains("Saved coder = "), "{prompts}");
    }

    #[test]
    fn a_broken_config_is_not_written_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "codr = ").unwrap();
        let mut out = Vec::new();
        let name = ask_and_store(&mut "kim\n".as_bytes(), &mut out, Some(&path), None).unwrap();
        assert_eq!(name, "kim");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "codr = ");
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("could not save it")
        );
    }
}
