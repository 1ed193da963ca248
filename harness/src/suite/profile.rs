//! Loading a profile, for either direction: one error type, and the directory its relative
//! paths resolve against.

use std::path::{Path, PathBuf};

/// A profile that cannot be used. The causes are part of the message, not error sources, so
/// that `{:#}` (which appends the sources) shows each once.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Unreadable file.
    #[error("cannot read the {kind} profile {path}: {error}")]
    Read {
        /// `platform` or `provider`.
        kind: &'static str,
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// Not TOML, or unknown keys.
    #[error("{kind} profile {path}: {error}")]
    Toml {
        /// `platform` or `provider`.
        kind: &'static str,
        /// The file.
        path: String,
        /// The TOML error, naming the key.
        error: Box<toml::de::Error>,
    },
    /// Inconsistent values.
    #[error("{kind} profile {path}: {message}")]
    Invalid {
        /// `platform` or `provider`.
        kind: &'static str,
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A provider file with no `[server]` table that is no valid mock-provider profile either.
    #[error(
        "{path} has no [server] table, so it was read as a mock-provider profile, and that \
         failed: {message}"
    )]
    Mock {
        /// The file.
        path: String,
        /// Why the mock refused it.
        message: String,
    },
}

/// The directory of the profile file at `path`, absolute (a bare file name is in the current
/// directory): relative paths in the profile are resolved against it.
pub fn profile_dir(path: &Path) -> std::io::Result<PathBuf> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.canonicalize(),
        _ => Path::new(".").canonicalize(),
    }
}
