//! Mounting: putting a [`Fault`] or a [`ScriptedDecision`] on a running [`MockProvider`], with
//! its expectation, as wiremock mounts a `Mock` on a `MockServer`.

use crate::control::ControlError;
use crate::decision::ScriptedDecision;
use crate::expect::Expectation;
use crate::faults::Fault;
use crate::server::MockProvider;

impl Fault {
    /// Makes `provider` misbehave as this fault says, after the faults mounted before it.
    pub fn mount(self, provider: &MockProvider) {
        let expected = self.expected();
        let what = format!("fault {:?} on {:?}", self.kind, self.on);
        let hits = provider.state().faults.add(self);
        if let Some(times) = expected {
            provider.expect(Expectation { what, times, hits });
        }
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
