//! The workspace's crates are layered: within each, no module imports, through any chain of
//! `crate::` paths, a module that imports it back. A new import that closes a loop fails here,
//! naming the modules of the loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// Module path (`endpoints::token`, `""` for the crate root) → its non-test source.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let test_module = Regex::new(r"(?s)#\[cfg\(test\)\]\s*mod tests\s*\{.*").unwrap();
    let comment = Regex::new(r"(?m)//.*$").unwrap();
    let mut found = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("main.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let text = test_module.replace(&text, "");
                let text = comment.replace_all(&text, "").into_owned();
                found.insert(module_name(src, &path), text);
            }
        }
    }
    found
}

fn module_name(src: &Path, file: &Path) -> String {
    let relative: PathBuf = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The modules each module imports: `crate::a::b` paths (grouped ones expanded), resolved to
/// the longest module they name, and a parent's use of its child modules.
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<&str, BTreeSet<&str>> {
    let grouped = Regex::new(r"crate::((?:[a-z_]+::)*)\{([^}]*)\}").unwrap();
    let path = Regex::new(r"crate::([a-z_]+(?:::[a-z_]+)*)").unwrap();
    let child = Regex::new(r"(?m)^\s*(?:pub(?:\(crate\))?\s+)?mod ([a-z_]+);").unwrap();
    let resolve = |used: &str| {
        let parts: Vec<&str> = used.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find_map(|candidate| modules.get_key_value(&candidate).map(|(k, _)| k.as_str()))
    };
    let mut graph = BTreeMap::new();
    for (name, text) in modules {
        let mut used: Vec<String> = path.captures_iter(text).map(|c| c[1].to_owned()).collect();
        for group in grouped.captures_iter(text) {
            for item in group[2].split(',') {
                let item = item.split_whitespace().next().unwrap_or("");
                if !item.is_empty() {
                    used.push(format!("{}{item}", &group[1]));
                }
            }
        }
        let mut targets: BTreeSet<&str> = used
            .iter()
            .filter_map(|u| resolve(u))
            .filter(|t| t != name && !t.is_empty())
            .collect();
        for kid in child.captures_iter(text) {
            let kid_path = if name.is_empty() {
                kid[1].to_owned()
            } else {
                format!("{name}::{}", &kid[1])
            };
            if text.contains(&format!("{}::", &kid[1])) {
                targets.extend(modules.get_key_value(&kid_path).map(|(k, _)| k.as_str()));
            }
        }
        graph.insert(name.as_str(), targets);
    }
    graph
}

/// A chain of imports that leads from a module back to itself, if any.
fn find_loop<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in [
        "harness",
        "mock-provider",
        "reference-platform",
        "oauth-vocab",
    ] {
        let modules = modules(&root.join(krate).join("src"));
        assert!(modules.len() > 3, "{krate}: no sources found");
        let graph = imports(&modules);
        if let Some(cycle) = find_loop(&graph) {
            panic!("{krate} has an import loop: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn a_loop_is_found_and_named() {
    let modules: BTreeMap<String, String> = [
        ("".to_owned(), "mod a; mod b;".to_owned()),
        ("a".to_owned(), "use crate::b::Thing;".to_owned()),
        ("b".to_owned(), "use crate::{a::Other, c};".to_owned()),
        ("c".to_owned(), String::new()),
    ]
    .into();
    let graph = imports(&modules);
    assert_eq!(find_loop(&graph), Some(vec!["a", "b", "a"]));
}
