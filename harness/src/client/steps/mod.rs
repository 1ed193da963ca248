//! Step definitions, one module per feature file in `features/client/` (`pkce.feature` ↔
//! `pkce.rs`), plus [`flow`] for the steps every feature shares: starting a flow, approving
//! at the provider, returning to the platform, and asking the platform who is linked. The shape
//! features share [`shapes`], with Kore.ai's Path Param in [`path_param`] and CSML's
//! chatbot-wide service account in [`service_account`]; [`mcp`] holds the steps of
//! `mcp/resource.feature` and `mcp/discovery.feature`, [`mcp_issuer`] those of
//! `mcp/issuer.feature`, [`mcp_registration`] those of `mcp/registration.feature`,
//! [`mcp_scope`] those of `mcp/scope.feature`, [`mcp_refresh`] those of `mcp/refresh.feature`,
//! [`step_up`] those of `mcp/step_up.feature`, and [`afresh`] those of scenarios that start the
//! platform afresh.

mod afresh;
mod errors;
mod flow;
mod linking;
mod mcp;
mod mcp_issuer;
mod mcp_refresh;
mod mcp_registration;
mod mcp_scope;
mod mixup;
mod path_param;
mod pkce;
mod redirect;
mod scope;
mod service_account;
mod shapes;
mod state;
mod step_up;
mod token;
mod transport;
