//! Gauntlet's conformance harness.
//!
//! Not built yet: the harness issue fills this crate with the `gauntlet` binary, the step
//! definitions for `features/`, and the reports. Until then the workspace's runnable part is
//! the `mock-provider` crate.
