//! Steps of `mixup.feature` ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)).

use cucumber::given;
use mock_provider::{FaultKind, FaultTarget};

use crate::client::world::{Arrangement, GauntletWorld, StepResult};

#[given(expr = "the provider will answer the next authorization with the issuer {string}")]
async fn wrong_issuer(world: &mut GauntletWorld, issuer: String) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Authorize,
        FaultKind::WrongIssuer { issuer },
    ));
    Ok(())
}

#[given("the provider will answer the next authorization without an issuer")]
async fn no_issuer(world: &mut GauntletWorld) -> StepResult {
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Authorize,
        FaultKind::OmitIssuer,
    ));
    Ok(())
}
