//! The report renders in a real browser: headless Chromium loads the file offline and its
//! DOM holds every section and chart. Skipped (with a note) when Chromium is not installed.

use std::path::Path;
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| {
            Command::new(bin)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED report_renders_in_headless_chromium: chromium is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study_path = dir.path().join("seed.thematic");
    thematic::analysis::testutil::build(&study_path).unwrap();
    let out = dir.path().join("report.html");
    let status = assert_cmd::Command::cargo_bin("thematic")
        .unwrap()
        .arg("--project")
        .arg(&study_path)
        .arg("report")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success());
    let profile = dir.path().join("profile");
    let dom = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", Path::new(&out).display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "summary",
        "codebook",
        "themes",
        "cooccurrence",
        "saturation",
        "quotes",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "section {id} missing from the rendered DOM:\n{dom}"
        );
    }
    assert!(dom.contains("class=\"chart bar-chart\""));
    assert!(dom.contains("class=\"chart heat-map\""));
    assert!(dom.contains("class=\"chart saturation\""));
    assert!(dom.contains("<blockquote>"));
    assert!(dom.contains("all-female (n=4)"));
}
