//! Logging to a file, never to the screen: `$THEMATIC_LOG` set (to anything) turns it on and
//! writes to `thematic.log` under the data directory (or to the path it names, if it has a '/').

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LOG: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();

fn open() -> Option<Mutex<std::fs::File>> {
    let v = std::env::var_os("THEMATIC_LOG")?;
    let path = if v.to_string_lossy().contains('/') {
        std::path::PathBuf::from(v)
    } else {
        crate::config::data_dir().join("thematic.log")
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).ok().map(Mutex::new)
}

pub fn write(message: &str) {
    if let Some(Some(f)) = LOG.get_or_init(open).as_ref().map(Some)
        && let Ok(mut f) = f.lock()
    {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let _ = writeln!(f, "{now} {message}");
    }
}
