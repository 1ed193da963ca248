//! Loading a profile, for either direction: one error type, the file being read (its
//! text, its TOML, how its errors name it), and the directory its relative paths resolve
//! against.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::launch::Launch;

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

/// A profile file being loaded, and what its [`ProfileError`]s say of it.
pub struct ProfileFile<'a> {
    /// The file.
    path: &'a Path,
    /// `platform` or `provider`.
    kind: &'static str,
}

impl<'a> ProfileFile<'a> {
    /// The `kind` profile at `path`.
    pub fn new(path: &'a Path, kind: &'static str) -> Self {
        Self { path, kind }
    }

    /// The file as errors show it.
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The file's text.
    pub fn text(&self) -> Result<String, ProfileError> {
        std::fs::read_to_string(self.path).map_err(|error| self.read_error(error))
    }

    /// `text` read as TOML into `T`; a failure is a [`ProfileError::Toml`].
    pub fn toml<T: DeserializeOwned>(&self, text: &str) -> Result<T, ProfileError> {
        toml::from_str(text).map_err(|error| ProfileError::Toml {
            kind: self.kind,
            path: self.shown(),
            error: Box::new(error),
        })
    }

    /// The file's values are inconsistent, as `message` says.
    pub fn invalid(&self, message: String) -> ProfileError {
        ProfileError::Invalid {
            kind: self.kind,
            path: self.shown(),
            message,
        }
    }

    /// Resolves a launch's `workdir` against the profile's directory.
    pub fn place(&self, launch: Option<&mut Launch>) -> Result<(), ProfileError> {
        if let Some(launch) = launch {
            let dir = profile_dir(self.path).map_err(|error| self.read_error(error))?;
            launch.workdir = Some(dir.join(launch.workdir.take().unwrap_or_default()));
        }
        Ok(())
    }

    fn read_error(&self, error: std::io::Error) -> ProfileError {
        ProfileError::Read {
            kind: self.kind,
            path: self.shown(),
            error,
        }
    }
}
