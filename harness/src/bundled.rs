//! The profiles compiled into the binary, so that an installed `gauntlet` finds them by name
//! from any directory: `--platform reference-chat`, `--provider lax`.
//!
//! Bundled are the platform profiles of `fixtures/platforms/` and the mock-provider profiles of
//! `fixtures/providers/`, except those that launch a program from the repository
//! ([`NOT_BUNDLED`]): they only make sense in a checkout.
//!
//! `--platform X` and `--provider X` read the file `X` when there is one, else the bundled
//! profile named `X` (its file stem), else fail naming the bundled profiles.

use std::path::Path;

use mock_provider::ProviderConfig;

use crate::client::profile::PlatformProfile;
use crate::provider::profile::ProviderTarget;

/// What a bundled profile is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A platform profile, for `--platform` (`gauntlet run`, `gauntlet mutants`).
    Platform,
    /// A mock-provider profile, for `--provider` (`gauntlet provider`).
    MockProvider,
}

impl Kind {
    /// Its name in listings and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::MockProvider => "mock provider",
        }
    }

    /// The option that takes it.
    pub fn option(self) -> &'static str {
        match self {
            Self::Platform => "--platform",
            Self::MockProvider => "--provider",
        }
    }
}

/// A profile compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Its name: the file stem, e.g. `reference-chat`.
    pub name: &'static str,
    /// What it is for.
    pub kind: Kind,
    /// The file's text.
    pub text: &'static str,
}

macro_rules! bundle {
    ($kind:ident, $folder:literal: $($name:literal),* $(,)?) => {
        &[$(Bundled {
            name: $name,
            kind: Kind::$kind,
            text: include_str!(concat!("../../fixtures/", $folder, "/", $name, ".toml")),
        }),*]
    };
}

/// `fixtures/platforms/*.toml`, by name.
pub const PLATFORMS: &[Bundled] = bundle!(Platform, "platforms":
    "botpress", "botpress-ocs", "converse", "converse-ocs", "csml", "csml-ocs", "kore",
    "kore-ocs", "reference", "reference-chat", "reference-mcp", "reference-ocs", "reference-tls",
);

/// The mock-provider profiles of `fixtures/providers/`, by name.
pub const MOCK_PROVIDERS: &[Bundled] =
    bundle!(MockProvider, "providers": "default", "lax", "lax-mcp", "mcp", "openchatstudio", "tls");

/// Files of those folders left out, and why.
pub const NOT_BUNDLED: &[(&str, &str)] = &[
    (
        "platforms/reference-launched.toml",
        "launches the reference platform with cargo from the repository",
    ),
    (
        "platforms/authlib-chatbot.toml",
        "launches scripts/authlib-chatbot/run.sh from the repository",
    ),
    (
        "platforms/openid-client-chatbot.toml",
        "launches scripts/openid-client-chatbot/run.sh from the repository",
    ),
    (
        "platforms/mcp-sdk-chatbot.toml",
        "launches scripts/mcp-sdk-chatbot/run.sh from the repository",
    ),
    (
        "providers/django-oauth-toolkit.toml",
        "launches scripts/django-provider/run.sh from the repository",
    ),
    (
        "providers/django-oauth-toolkit-tls.toml",
        "launches scripts/django-provider/run.sh --tls from the repository",
    ),
    (
        "providers/oidc-provider.toml",
        "launches scripts/oidc-provider/run.sh from the repository",
    ),
    (
        "providers/mcp-sdk-server.toml",
        "launches scripts/mcp-sdk-server/run.sh from the repository",
    ),
];

/// Every bundled profile: platforms, then mock providers.
pub fn all() -> impl Iterator<Item = &'static Bundled> {
    PLATFORMS.iter().chain(MOCK_PROVIDERS)
}

/// The bundled profile called `name`, or an error naming them all.
pub fn named(name: &str) -> anyhow::Result<&'static Bundled> {
    all().find(|b| b.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().map(|b| b.name).collect();
        anyhow::anyhow!(
            "no bundled profile is called {name:?}; bundled: {}",
            names.join(", ")
        )
    })
}

impl Bundled {
    /// One line about it: its `name` key, or the opening comment's first clause when `name`
    /// is just the file stem.
    pub fn description(&self) -> String {
        let name = toml::from_str::<toml::Table>(self.text)
            .ok()
            .and_then(|t| t.get("name")?.as_str().map(str::to_owned));
        match name {
            Some(name) if name != self.name => name,
            _ => {
                let comment: Vec<&str> = self
                    .text
                    .lines()
                    .map_while(|l| l.strip_prefix('#'))
                    .map(str::trim)
                    .collect();
                let comment = comment.join(" ");
                let end = comment.find([':', '.', '(']).unwrap_or(comment.len());
                comment[..end].trim().to_owned()
            }
        }
    }
}

/// The table `gauntlet profiles` prints.
pub fn listing() -> String {
    let mut out = format!("{:<16} {:<14} {}\n", "NAME", "KIND", "DESCRIPTION");
    for b in all() {
        out += &format!("{:<16} {:<14} {}\n", b.name, b.kind.name(), b.description());
    }
    out += "\nUse one with --platform NAME (gauntlet run, gauntlet mutants) or --provider NAME \
            (gauntlet provider);\n`gauntlet profiles show NAME > my.toml` writes one out to edit.\n";
    out
}

/// The bundled profile of `kind` that `arg` names, when `arg` is no file.
fn resolve(arg: &Path, kind: Kind) -> anyhow::Result<&'static Bundled> {
    let found = arg.to_str().and_then(|name| all().find(|b| b.name == name));
    match found {
        Some(b) if b.kind == kind => Ok(b),
        Some(b) => anyhow::bail!(
            "{} {}: that is the bundled {} profile, for {}",
            kind.option(),
            b.name,
            b.kind.name(),
            b.kind.option()
        ),
        None => {
            let names: Vec<&str> = all().filter(|b| b.kind == kind).map(|b| b.name).collect();
            anyhow::bail!(
                "{} {}: no such file, and no bundled {} profile has that name; bundled: {} \
                 (`gauntlet profiles` lists them)",
                kind.option(),
                arg.display(),
                kind.name(),
                names.join(", ")
            )
        }
    }
}

/// `--platform ARG`: the profile file `ARG`, else the bundled platform profile named `ARG`.
pub fn platform(arg: &Path) -> anyhow::Result<PlatformProfile> {
    if arg.is_file() {
        return Ok(PlatformProfile::from_file(arg)?);
    }
    let bundled = resolve(arg, Kind::Platform)?;
    // The same text as the file, which `from_file` checks in this module's tests.
    toml::from_str(bundled.text)
        .map_err(|e| anyhow::anyhow!("bundled platform profile {}: {e}", bundled.name))
}

/// `--provider ARG`: the profile file `ARG`, else the bundled mock-provider profile named `ARG`.
pub fn provider(arg: &Path) -> anyhow::Result<ProviderTarget> {
    if arg.is_file() {
        return ProviderTarget::from_file(arg);
    }
    let bundled = resolve(arg, Kind::MockProvider)?;
    let config = ProviderConfig::from_toml(bundled.text)
        .map_err(|e| anyhow::anyhow!("bundled mock-provider profile {}: {e}", bundled.name))?;
    Ok(ProviderTarget::Mock(Box::new(config)))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
    }

    #[test]
    fn every_profile_in_the_fixtures_is_bundled_or_excused() {
        for (folder, bundle) in [("platforms", PLATFORMS), ("providers", MOCK_PROVIDERS)] {
            let mut on_disk: Vec<String> = std::fs::read_dir(fixtures().join(folder))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .filter(|n| {
                    !NOT_BUNDLED
                        .iter()
                        .any(|(f, _)| *f == format!("{folder}/{n}"))
                })
                .collect();
            on_disk.sort();
            let mut bundled: Vec<String> =
                bundle.iter().map(|b| format!("{}.toml", b.name)).collect();
            bundled.sort();
            assert_eq!(on_disk, bundled, "fixtures/{folder}");
        }
        for (file, _) in NOT_BUNDLED {
            assert!(fixtures().join(file).is_file(), "{file} is gone");
        }
    }

    #[test]
    fn every_bundled_profile_loads_from_its_name_and_launches_nothing() {
        let mut names = std::collections::BTreeSet::new();
        for b in all() {
            assert!(names.insert(b.name), "{} is bundled twice", b.name);
            assert!(!b.description().is_empty(), "{}", b.name);
            match b.kind {
                Kind::Platform => {
                    let file = fixtures().join(format!("platforms/{}.toml", b.name));
                    let checked = PlatformProfile::from_file(&file).unwrap();
                    assert!(checked.platform.launch.is_none(), "{}", b.name);
                    assert!(checked.platform.embedded.is_some(), "{}", b.name);
                    let named = platform(Path::new(b.name)).unwrap();
                    assert_eq!(named.name, checked.name);
                }
                Kind::MockProvider => {
                    assert!(matches!(
                        provider(Path::new(b.name)).unwrap(),
                        ProviderTarget::Mock(_)
                    ));
                }
            }
        }
    }

    #[test]
    fn a_file_wins_and_an_unknown_name_is_explained() {
        let file = fixtures().join("platforms/csml.toml");
        assert_eq!(platform(&file).unwrap().name, "reference (CSML shape)");
        assert_eq!(
            platform(Path::new("reference-chat")).unwrap().name,
            "reference (chat channel)"
        );

        let err = platform(Path::new("nonesuch")).unwrap_err().to_string();
        assert!(err.contains("--platform nonesuch: no such file"), "{err}");
        assert!(
            err.contains("reference-chat") && !err.contains("lax"),
            "{err}"
        );
        let err = provider(Path::new("fixtures/nonesuch.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bundled: default, lax, lax-mcp, mcp, openchatstudio"),
            "{err}"
        );
        let err = platform(Path::new("lax")).unwrap_err().to_string();
        assert!(
            err.contains("mock provider profile, for --provider"),
            "{err}"
        );
        let err = named("reference-launched").unwrap_err().to_string();
        assert!(err.contains("bundled: botpress,"), "{err}");
    }

    #[test]
    fn the_listing_names_and_describes_each_profile() {
        let listing = listing();
        for b in all() {
            assert!(listing.contains(&format!("\n{:<16} {:<14}", b.name, b.kind.name())));
        }
        assert!(listing.contains(
            "reference-ocs    platform       reference (web channel, OpenChatStudio provider)"
        ));
        assert!(listing.contains("lax              mock provider  A deliberately lax provider"));
    }
}
