//! Mounting: putting a [`Fault`] or a [`ScriptedDecision`] on a running [`MockProvider`], with
//! its expectation, as wiremock mounts a `Mock` on a `MockServer`.

use crate::control::ControlError;
use crate::decision::ScriptedDecision;
use crate::expect::Expectation;
use crate::faults::Fault;
use crate::server::MockProvider;

impl Fault {
    /// Makes `provider` misbehave as this fault says, after the faults mounted before it.
    ///
    /// # Panics
    ///
    /// When the fault is out of bounds or [`MAX_FAULTS`](crate::MAX_FAULTS) are mounted, as a
    /// mistake in the test that mounts it; [`Fault::try_mount`] returns the error instead.
    pub fn mount(self, provider: &MockProvider) {
        if let Err(why) = self.try_mount(provider) {
            panic!("the fault cannot be mounted: {why}");
        }
    }

    /// Mounts the fault like [`Fault::mount`]; refused when its values are out of bounds
    /// ([`Fault::validate`]) or [`MAX_FAULTS`](crate::MAX_FAULTS) are mounted.
    pub fn try_mount(self, provider: &MockProvider) -> Result<(), ControlError> {
        let expected = self.expected();
        let what = format!("fault {:?} on {:?}", self.kind, self.on);
        let hits = provider.state().faults.add(self)?;
        if let Some(times) = expected {
            provider.expect(Expectation { what, times, hits });
        }
        Ok(())
    }
}

impl ScriptedDecision {
    /// Queues the decision on `provider`. Refused for an unknown client or user.
    pub fn mount(self, provider: &MockProvider) -> Result<(), ControlError> {
        let expectation = self.expectation();
        provider.state().add_decision(self)?;
        if let Some(expectation) = expectation {
            provider.expect(expectation);
        }
        Ok(())
    }
}
