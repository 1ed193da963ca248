//! The README's example of embedding the mock is the crate documentation's doc-test, word for
//! word (less the doc-test's hidden `# ` lines), so what a reader pastes compiles and runs.

/// The fenced blocks of `text`, without their fences and without rustdoc's hidden lines.
fn code_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) => current = Some(String::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(block), false) if line != "#" && !line.starts_with("# ") => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn the_readme_embedding_example_is_the_crate_doc_test() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/../README.md")).unwrap();
    let section = readme
        .split("### Embedded in a Rust test\n")
        .nth(1)
        .and_then(|rest| rest.split("\n##").next())
        .expect("the README has the section");
    let lib = std::fs::read_to_string(format!("{root}/src/lib.rs")).unwrap();
    let docs: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let in_readme = code_blocks(section);
    assert_eq!(in_readme.len(), 2, "{section}");
    assert!(in_readme[0].contains("mock-provider = { git = "));
    assert_eq!(in_readme, code_blocks(&docs));
}
