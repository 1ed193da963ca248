//! Steps of `errors.feature`: provider failures arranged for the next flow.

use std::time::Duration;

use cucumber::given;
use mock_provider::{ErrorCode, FaultKind, FaultTarget};

use crate::client::world::{Arrangement, GauntletWorld, StepResult};

#[given(
    regex = r"^the token endpoint will answer (with invalid_grant|with invalid_client|with status \d+|after the platform's timeout|with malformed JSON|without an access_token)$"
)]
async fn token_failure(world: &mut GauntletWorld, failure: String) -> StepResult {
    let kind = match failure.as_str() {
        "with invalid_grant" => FaultKind::Error {
            error: ErrorCode::InvalidGrant,
            description: None,
        },
        "with invalid_client" => FaultKind::Error {
            error: ErrorCode::InvalidClient,
            description: None,
        },
        "after the platform's timeout" => {
            let timeout =
                Duration::from_millis(world.ctx.profile.timeouts.platform_token_timeout_ms);
            FaultKind::Delay {
                ms: u64::try_from((timeout + Duration::from_secs(1)).as_millis())
                    .unwrap_or(u64::MAX),
            }
        }
        "with malformed JSON" => FaultKind::MalformedJson,
        "without an access_token" => FaultKind::MissingAccessToken,
        status => {
            let status = status
                .trim_start_matches("with status ")
                .parse()
                .map_err(|e| format!("{status}: {e}"))?;
            FaultKind::Status { status }
        }
    };
    world
        .arrangements
        .push(Arrangement::Fault(FaultTarget::Token, kind));
    Ok(())
}
