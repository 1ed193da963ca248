//! The CI recipes of `docs/ci/` use only what the command line has: every `gauntlet …` command
//! of their `run:` and `script:` entries parses with the real CLI (matrix variables set to a
//! shard's values), and Gauntlet is installed with `cargo install --locked --git`.

use clap::Parser as _;
use gauntlet::cli::Opts;
use yaml_rust2::{Yaml, YamlLoader};

/// The keys whose values are shell commands (GitHub Actions: `run`; GitLab CI: the others).
const SCRIPT_KEYS: &[&str] = &["run", "script", "before_script", "after_script"];

/// Every shell command of the recipe `file`, split into words.
fn commands(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/../docs/ci/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut scripts = Vec::new();
    for doc in &docs {
        collect_scripts(doc, &mut scripts);
    }
    scripts
        .iter()
        .flat_map(|script| {
            script
                .replace("\\\n", " ")
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let line = line
                .replace("${{ matrix.shard }}", "2")
                .replace("$CI_NODE_INDEX", "2")
                .replace("$CI_NODE_TOTAL", "3");
            shlex::split(&line).unwrap_or_else(|| panic!("{file}: cannot split {line:?}"))
        })
        .collect()
}

/// The values of [`SCRIPT_KEYS`] anywhere in `yaml`: a string or a list of strings.
fn collect_scripts(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::Hash(map) => {
            for (key, value) in map {
                let is_script = key.as_str().is_some_and(|k| SCRIPT_KEYS.contains(&k));
                match (is_script, value) {
                    (true, Yaml::String(script)) => out.push(script.clone()),
                    (true, Yaml::Array(lines)) => {
                        out.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_owned)));
                    }
                    _ => collect_scripts(value, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|item| collect_scripts(item, out)),
        _ => {}
    }
}

/// Checks the recipe's commands and returns its `gauntlet` commands.
fn check(file: &str) -> Vec<Vec<String>> {
    let commands = commands(file);
    let installs: Vec<&Vec<String>> = commands
        .iter()
        .filter(|c| c.starts_with(&["cargo".into(), "install".into()]))
        .collect();
    assert!(!installs.is_empty(), "{file}: no cargo install");
    for install in installs {
        for flag in ["--locked", "--git"] {
            assert!(
                install.iter().any(|w| w == flag),
                "{file}: {install:?} lacks {flag}"
            );
        }
        assert_eq!(
            install.last().map(String::as_str),
            Some("gauntlet"),
            "{file}"
        );
    }
    let gauntlet: Vec<Vec<String>> = commands
        .into_iter()
        .filter(|c| c.first().is_some_and(|w| w == "gauntlet"))
        .collect();
    for command in &gauntlet {
        assert!(
            !command.iter().any(|w| w.contains("${{")),
            "{file}: an unknown expression in {command:?}"
        );
        if let Err(error) = Opts::try_parse_from(command) {
            panic!("{file}: `{}` does not parse:\n{error}", command.join(" "));
        }
    }
    let has = |sub: &str, flag: &str| {
        gauntlet
            .iter()
            .any(|c| c[1] == sub && c.iter().any(|w| w == flag))
    };
    assert!(has("run", "--shard"), "{file}: no sharded run");
    assert!(has("merge", "--report-dir"), "{file}: no merge");
    gauntlet
}

#[test]
fn the_github_actions_recipe_uses_only_what_the_cli_has() {
    let commands = check("github-actions.yml");
    assert!(commands.iter().any(|c| {
        c.join(" ")
            .contains("--shard 2/3 --report-dir reports/shard-2")
    }));
}

#[test]
fn the_gitlab_ci_recipe_uses_only_what_the_cli_has() {
    let commands = check("gitlab-ci.yml");
    assert!(commands.iter().any(|c| {
        c.join(" ")
            .contains("--shard 2/3 --report-dir reports/shard-2")
    }));
}
