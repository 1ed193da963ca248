//! The report folder: every file a run (or `gauntlet merge`) writes, all rendered from one
//! [`RunReport`], so that they always agree with each other and with the exit code.

use std::path::Path;

use anyhow::Context as _;

use super::model::RunReport;
use super::{cucumber_json, html, junit, markdown, messages};

/// The files written, in the order a reader wants them.
pub const FILES: [&str; 6] = [
    "index.html",
    "report.md",
    "junit.xml",
    "cucumber.json",
    "messages.ndjson",
    "report.json",
];

/// Writes every report file into `dir` (created if needed).
pub fn write_all(report: &RunReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the report directory {}", dir.display()))?;
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))
    };
    write("index.html", html::render(report))?;
    write("report.md", markdown::render(report))?;
    write("junit.xml", junit::render(report))?;
    write("cucumber.json", cucumber_json::render(report))?;
    write("messages.ndjson", messages::render(report))?;
    write("report.json", serde_json::to_string_pretty(report)?)?;
    Ok(())
}

/// Reads the `report.json` a run wrote into `dir`.
pub fn read(dir: &Path) -> anyhow::Result<RunReport> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a Gauntlet report (written by another version?)",
            path.display()
        )
    })
}
