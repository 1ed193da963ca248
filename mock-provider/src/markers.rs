//! Markers the journal middleware and the handlers pass each other as request and response
//! extensions.

/// Marks a request whose body exceeded `limits.max_body_bytes`; the endpoint answers its own error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTooLarge;

/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;
