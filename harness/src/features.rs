//! The bundled feature files (client and provider), compiled into the binary so that an installed `gauntlet` runs
//! the same suite as the repository's `features/` folder.

use std::path::PathBuf;

/// `features/client/*.feature`, by file name.
pub const CLIENT: &[(&str, &str)] = &[
    (
        "botpress.feature",
        include_str!("../../features/client/botpress.feature"),
    ),
    (
        "converse.feature",
        include_str!("../../features/client/converse.feature"),
    ),
    (
        "csml.feature",
        include_str!("../../features/client/csml.feature"),
    ),
    (
        "errors.feature",
        include_str!("../../features/client/errors.feature"),
    ),
    (
        "kore.feature",
        include_str!("../../features/client/kore.feature"),
    ),
    (
        "mixup.feature",
        include_str!("../../features/client/mixup.feature"),
    ),
    (
        "ocs.feature",
        include_str!("../../features/client/ocs.feature"),
    ),
    (
        "pkce.feature",
        include_str!("../../features/client/pkce.feature"),
    ),
    (
        "redirect.feature",
        include_str!("../../features/client/redirect.feature"),
    ),
    (
        "scope.feature",
        include_str!("../../features/client/scope.feature"),
    ),
    (
        "state.feature",
        include_str!("../../features/client/state.feature"),
    ),
    (
        "token.feature",
        include_str!("../../features/client/token.feature"),
    ),
];

/// `features/provider/*.feature`, by file name.
pub const PROVIDER: &[(&str, &str)] = &[
    (
        "authorize.feature",
        include_str!("../../features/provider/authorize.feature"),
    ),
    (
        "browser.feature",
        include_str!("../../features/provider/browser.feature"),
    ),
    (
        "code.feature",
        include_str!("../../features/provider/code.feature"),
    ),
    (
        "introspection.feature",
        include_str!("../../features/provider/introspection.feature"),
    ),
    (
        "metadata.feature",
        include_str!("../../features/provider/metadata.feature"),
    ),
    (
        "pkce.feature",
        include_str!("../../features/provider/pkce.feature"),
    ),
    (
        "redirect.feature",
        include_str!("../../features/provider/redirect.feature"),
    ),
    (
        "refresh.feature",
        include_str!("../../features/provider/refresh.feature"),
    ),
    (
        "resource.feature",
        include_str!("../../features/provider/resource.feature"),
    ),
    (
        "revocation.feature",
        include_str!("../../features/provider/revocation.feature"),
    ),
    (
        "token.feature",
        include_str!("../../features/provider/token.feature"),
    ),
];

/// Writes bundled features (e.g. [`CLIENT`]) into a fresh temporary folder and returns it.
pub fn materialize(bundle: &[(&str, &str)]) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "gauntlet-features-{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&dir)?;
    for (name, text) in bundle {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(dir)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_feature_file_in_the_repository_is_bundled() {
        for (folder, bundle) in [("client", super::CLIENT), ("provider", super::PROVIDER)] {
            let dir = format!("{}/../features/{folder}", env!("CARGO_MANIFEST_DIR"));
            let mut on_disk: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".feature"))
                .collect();
            on_disk.sort();
            let bundled: Vec<&str> = bundle.iter().map(|(n, _)| *n).collect();
            assert_eq!(on_disk, bundled, "features/{folder}");
        }
    }
}
