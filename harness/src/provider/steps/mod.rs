//! Step definitions of `features/provider/`: one module per feature file, named after it
//! ([`mcp`] for the files of `mcp/`, but `mcp/issuer.feature`'s in [`mcp_issuer`] and
//! `mcp/registration.feature`'s in [`mcp_registration`]);
//! [`flow`] holds the steps several features share (asking, approving, redeeming, holding
//! tokens, and the usual answers), and [`registration`] the RFC 7591 request the registering
//! steps share.

mod authorize;
mod browser;
mod code;
mod flow;
mod introspection;
mod mcp;
mod mcp_issuer;
mod mcp_registration;
mod metadata;
mod pkce;
mod redirect;
mod refresh;
mod registration;
mod resource;
mod revocation;
mod token;
mod transport;
