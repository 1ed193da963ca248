//! The bundled feature files (client and provider), compiled into the binary so that an
//! installed `gauntlet` runs the same suite as the repository's `features/` folder, and
//! [`FeatureSet`]: the feature files of a run, in memory, named relative to their root.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use cucumber::feature::Ext as _;
use cucumber::gherkin;

use crate::report::FeatureSource;

/// `features/client/**/*.feature`, by path under `features/client/`.
pub const CLIENT: &[(&str, &str)] = &[
    (
        "botpress.feature",
        include_str!("../../../features/client/botpress.feature"),
    ),
    (
        "converse.feature",
        include_str!("../../../features/client/converse.feature"),
    ),
    (
        "csml.feature",
        include_str!("../../../features/client/csml.feature"),
    ),
    (
        "errors.feature",
        include_str!("../../../features/client/errors.feature"),
    ),
    (
        "kore.feature",
        include_str!("../../../features/client/kore.feature"),
    ),
    (
        "linking.feature",
        include_str!("../../../features/client/linking.feature"),
    ),
    (
        "mcp/discovery.feature",
        include_str!("../../../features/client/mcp/discovery.feature"),
    ),
    (
        "mcp/issuer.feature",
        include_str!("../../../features/client/mcp/issuer.feature"),
    ),
    (
        "mcp/refresh.feature",
        include_str!("../../../features/client/mcp/refresh.feature"),
    ),
    (
        "mcp/registration.feature",
        include_str!("../../../features/client/mcp/registration.feature"),
    ),
    (
        "mcp/resource.feature",
        include_str!("../../../features/client/mcp/resource.feature"),
    ),
    (
        "mcp/scope.feature",
        include_str!("../../../features/client/mcp/scope.feature"),
    ),
    (
        "mcp/step_up.feature",
        include_str!("../../../features/client/mcp/step_up.feature"),
    ),
    (
        "mixup.feature",
        include_str!("../../../features/client/mixup.feature"),
    ),
    (
        "ocs.feature",
        include_str!("../../../features/client/ocs.feature"),
    ),
    (
        "pkce.feature",
        include_str!("../../../features/client/pkce.feature"),
    ),
    (
        "redirect.feature",
        include_str!("../../../features/client/redirect.feature"),
    ),
    (
        "scope.feature",
        include_str!("../../../features/client/scope.feature"),
    ),
    (
        "state.feature",
        include_str!("../../../features/client/state.feature"),
    ),
    (
        "token.feature",
        include_str!("../../../features/client/token.feature"),
    ),
    (
        "transport.feature",
        include_str!("../../../features/client/transport.feature"),
    ),
];

/// `features/provider/**/*.feature`, by path under `features/provider/`.
pub const PROVIDER: &[(&str, &str)] = &[
    (
        "authorize.feature",
        include_str!("../../../features/provider/authorize.feature"),
    ),
    (
        "browser.feature",
        include_str!("../../../features/provider/browser.feature"),
    ),
    (
        "code.feature",
        include_str!("../../../features/provider/code.feature"),
    ),
    (
        "introspection.feature",
        include_str!("../../../features/provider/introspection.feature"),
    ),
    (
        "mcp/authorization_server.feature",
        include_str!("../../../features/provider/mcp/authorization_server.feature"),
    ),
    (
        "mcp/discovery.feature",
        include_str!("../../../features/provider/mcp/discovery.feature"),
    ),
    (
        "mcp/issuer.feature",
        include_str!("../../../features/provider/mcp/issuer.feature"),
    ),
    (
        "mcp/registration.feature",
        include_str!("../../../features/provider/mcp/registration.feature"),
    ),
    (
        "mcp/tokens.feature",
        include_str!("../../../features/provider/mcp/tokens.feature"),
    ),
    (
        "metadata.feature",
        include_str!("../../../features/provider/metadata.feature"),
    ),
    (
        "pkce.feature",
        include_str!("../../../features/provider/pkce.feature"),
    ),
    (
        "redirect.feature",
        include_str!("../../../features/provider/redirect.feature"),
    ),
    (
        "refresh.feature",
        include_str!("../../../features/provider/refresh.feature"),
    ),
    (
        "resource.feature",
        include_str!("../../../features/provider/resource.feature"),
    ),
    (
        "revocation.feature",
        include_str!("../../../features/provider/revocation.feature"),
    ),
    (
        "token.feature",
        include_str!("../../../features/provider/token.feature"),
    ),
    (
        "transport.feature",
        include_str!("../../../features/provider/transport.feature"),
    ),
];

/// Feature files held in memory, each named by its path relative to the features root
/// (`client/errors.feature`), so that reports never carry a temporary or machine path.
#[derive(Debug, Clone, Default)]
pub struct FeatureSet {
    /// The files, sorted by path.
    pub files: Vec<FeatureSource>,
}

impl FeatureSet {
    /// A bundle (e.g. [`CLIENT`]) under `folder` (`client`).
    pub fn bundled(folder: &str, bundle: &[(&str, &str)]) -> Self {
        Self {
            files: bundle
                .iter()
                .map(|(name, text)| FeatureSource {
                    path: format!("{folder}/{name}"),
                    text: (*text).to_owned(),
                })
                .collect(),
        }
    }

    /// Every `*.feature` file under `dir` (recursively), named relative to `dir`.
    pub fn from_dir(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            bail!("--features {}: no such folder", dir.display());
        }
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        if files.is_empty() {
            bail!(
                "--features {}: the folder holds no .feature file",
                dir.display()
            );
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Self { files })
    }

    /// Parses every file, with Scenario Outlines expanded into one scenario per example row.
    /// A file that does not parse is an error naming it.
    pub fn parse(&self) -> anyhow::Result<Vec<gherkin::Feature>> {
        self.files
            .iter()
            .map(|file| {
                let mut feature =
                    gherkin::Feature::parse(&file.text, gherkin::GherkinEnv::default())
                        .map_err(|e| anyhow!("{} does not parse: {e}", file.path))?;
                feature.path = Some(PathBuf::from(&file.path));
                feature
                    .expand_examples()
                    .map_err(|e| anyhow!("{}: {e}", file.path))
            })
            .collect()
    }
}

/// The tag of a scenario that waits on purpose (a code's lifetime).
const WAITS: &str = "waits";

/// Puts the scenarios tagged `@waits` first — their features first, and first within their
/// feature — so that a deliberate wait starts with the run and overlaps the other scenarios
/// instead of adding to the wall time. Reports order scenarios by file and line regardless.
pub fn waits_first(features: &mut [gherkin::Feature]) {
    let waits = |s: &gherkin::Scenario| s.tags.iter().any(|t| t == WAITS);
    for feature in features.iter_mut() {
        feature.scenarios.sort_by_key(|s| !waits(s));
    }
    features.sort_by_key(|f| !f.scenarios.iter().any(waits));
}

/// Adds the feature files under `dir` to `files`, named relative to `root`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<FeatureSource>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(FeatureSource {
                path: name.join("/"),
                text,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scenario_that_waits_runs_first() {
        use cucumber::gherkin;
        let parse = |text: &str| gherkin::Feature::parse(text, gherkin::GherkinEnv::default());
        let quick = parse("Feature: a\n  Scenario: one\n    Given x\n").unwrap();
        let slow = parse(
            "Feature: b\n  Scenario: two\n    Given x\n  @waits\n  Scenario: three\n    Given x\n",
        )
        .unwrap();
        let mut features = vec![quick, slow];
        super::waits_first(&mut features);
        let order: Vec<&str> = features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(|s| s.name.as_str()))
            .collect();
        assert_eq!(order, ["three", "two", "one"]);
    }

    #[test]
    fn every_feature_file_in_the_repository_is_bundled() {
        for (folder, bundle) in [("client", super::CLIENT), ("provider", super::PROVIDER)] {
            let dir = format!("{}/../features/{folder}", env!("CARGO_MANIFEST_DIR"));
            let on_disk = super::FeatureSet::from_dir(std::path::Path::new(&dir)).unwrap();
            let on_disk: Vec<&str> = on_disk.files.iter().map(|f| f.path.as_str()).collect();
            let bundled: Vec<&str> = bundle.iter().map(|(n, _)| *n).collect();
            assert_eq!(on_disk, bundled, "features/{folder}");
        }
    }

    #[test]
    fn bundled_features_parse_with_stable_relative_names() {
        let set = super::FeatureSet::bundled("client", super::CLIENT);
        let features = set.parse().unwrap();
        assert_eq!(features.len(), super::CLIENT.len());
        let path = features[0].path.as_ref().unwrap().display().to_string();
        assert_eq!(path, "client/botpress.feature");
    }

    #[test]
    fn a_folder_is_read_recursively_and_named_relative_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let text = "Feature: F\n  Scenario: S\n    Given x\n";
        std::fs::write(dir.path().join("sub/b.feature"), text).unwrap();
        std::fs::write(dir.path().join("a.feature"), text).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let set = super::FeatureSet::from_dir(dir.path()).unwrap();
        let names: Vec<&str> = set.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["a.feature", "sub/b.feature"]);
    }

    #[test]
    fn a_missing_or_empty_folder_and_a_broken_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = super::FeatureSet::from_dir(dir.path()).unwrap_err();
        assert!(empty.to_string().contains("no .feature file"), "{empty}");
        let missing = super::FeatureSet::from_dir(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("no such folder"), "{missing}");
        std::fs::write(dir.path().join("x.feature"), "Scenario without feature\n").unwrap();
        let broken = super::FeatureSet::from_dir(dir.path())
            .unwrap()
            .parse()
            .unwrap_err();
        assert!(broken.to_string().contains("x.feature"), "{broken}");
    }
}
