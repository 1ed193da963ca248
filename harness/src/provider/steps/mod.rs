//! Step definitions of `features/provider/`: [`authorize`] builds, bends and sends
//! authorization requests; [`token`] redeems codes and refreshes; [`endpoints`] covers the
//! metadata, revocation, introspection, resource and browser-security steps.

mod authorize;
mod endpoints;
mod token;
