//! [`ControlError`]: why the provider refused a client, decision or fault set up through the
//! library or the control API.

/// Why a client registration, decision or fault was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The client registration is invalid.
    #[error("{key}: {message}")]
    InvalidClient {
        /// The offending key, e.g. `client_secret`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// The client registry holds `limits.max_clients` clients already.
    #[error("the registry is full (limits.max_clients = {max})")]
    RegistryFull {
        /// The limit.
        max: usize,
    },
    /// No client is registered with this id.
    #[error("unknown client_id {0:?}")]
    UnknownClient(String),
    /// No user has this username.
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    /// Too many decisions are queued for one client.
    #[error("more than {limit} decisions are queued for this client")]
    TooManyDecisions {
        /// The limit.
        limit: usize,
    },
    /// As many decisions as allowed are queued across all clients already.
    #[error("{limit} decisions are queued across all clients already; let some be taken first")]
    DecisionsFull {
        /// The limit.
        limit: usize,
    },
    /// The fault's values are out of bounds.
    #[error("{key}: {message}")]
    InvalidFault {
        /// The offending field, e.g. `status`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// As many faults as allowed are mounted already.
    #[error("{limit} faults are mounted already; clear some first")]
    TooManyFaults {
        /// The limit.
        limit: usize,
    },
}
