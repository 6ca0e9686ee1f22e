//! Where things live and who is coding: the demo study's path, the default coder, and the
//! user's `config.toml` (`$XDG_CONFIG_HOME/thematic/config.toml` or the platform's config dir).

use serde::Deserialize;
use std::path::PathBuf;

/// The folder for the demo study and logs: `$THEMATIC_DATA_DIR`, else the user's data dir.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("THEMATIC_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "Thematic", "thematic")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".thematic"))
}

pub fn demo_study_path() -> PathBuf {
    data_dir().join("demo.thematic")
}

/// The folder holding `config.toml` and `keys.toml`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(dir).join("thematic"));
    }
    directories::ProjectDirs::from("org", "Thematic", "thematic")
        .map(|d| d.config_dir().to_path_buf())
}

/// Settings from `config.toml`; every key is optional.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The coder name used when `--coder` is not given.
    pub coder: Option<String>,
    /// Krippendorff's alpha limits the workbench's agreement view marks (lower, upper).
    pub agreement_thresholds: Option<[f64; 2]>,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The user's config; a missing file is the default, a broken one is reported on stderr
    /// and ignored, so a typo never locks anyone out of their study.
    pub fn load() -> Config {
        let Some(path) = config_dir().map(|d| d.join("config.toml")) else {
            return Config::default();
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text).unwrap_or_else(|e| {
                eprintln!("warning: ignoring {}: {e}", path.display());
                Config::default()
            }),
            Err(_) => Config::default(),
        }
    }
}

/// The coder when `--coder` is not given: `$THEMATIC_CODER`, else `coder` in config.toml,
/// else the login name.
pub fn default_coder() -> String {
    let from_env = |v: &str| {
        std::env::var(v)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    from_env("THEMATIC_CODER")
        .or_else(|| Config::load().coder.filter(|c| !c.trim().is_empty()))
        .or_else(|| {
            ["USER", "LOGNAME", "USERNAME"]
                .iter()
                .find_map(|v| from_env(v))
        })
        .unwrap_or_else(|| "coder".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_the_coder_and_refuses_unknown_keys() {
        assert_eq!(
            Config::parse("coder = \"alex\"").unwrap().coder.as_deref(),
            Some("alex")
        );
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert!(Config::parse("codr = \"x\"").is_err());
        assert_eq!(
            Config::parse("agreement_thresholds = [0.6, 0.75]")
                .unwrap()
                .agreement_thresholds,
            Some([0.6, 0.75])
        );
    }
}
