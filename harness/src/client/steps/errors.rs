//! Steps of `errors.feature`: provider failures arranged for the next flow.

use std::time::Duration;

use cucumber::given;
use mock_provider::{ErrorCode, FaultKind, FaultTarget, MAX_DELAY_MS};

use crate::client::world::{Arrangement, GauntletWorld, StepResult};

#[given(
    regex = r"^the token endpoint will answer (with invalid_grant|with invalid_client|with status \d+|with malformed JSON|without an access_token)$"
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

/// Delays the next token answer one second beyond the platform's stated token timeout. A
/// profile stating `"none"` fails here at the scenario's strength, without waiting: nothing
/// could outlast a platform that never gives up.
#[given("the token endpoint will not answer within the platform's token timeout")]
async fn token_too_slow(world: &mut GauntletWorld) -> StepResult {
    let Some(timeout) = world
        .ctx
        .profile
        .timeouts
        .platform_token_timeout_ms
        .duration()
    else {
        return Err(
            "the profile states that the platform has no timeout for token requests \
                    (timeouts.platform_token_timeout_ms = \"none\"): a token endpoint that \
                    never answers then holds the user's link, and the platform's worker, \
                    forever, and enough of them exhaust the platform. Give the HTTP client \
                    that calls the token endpoint a timeout and state it in the profile"
                .into(),
        );
    };
    let ms = u64::try_from(timeout.saturating_add(Duration::from_secs(1)).as_millis())
        .unwrap_or(u64::MAX);
    if ms > MAX_DELAY_MS {
        return Err(format!(
            "the profile states a token timeout of {} ms (timeouts.platform_token_timeout_ms); \
             outlasting it takes a delay beyond the mock's longest, {MAX_DELAY_MS} ms",
            timeout.as_millis()
        ));
    }
    world.arrangements.push(Arrangement::Fault(
        FaultTarget::Token,
        FaultKind::Delay { ms },
    ));
    Ok(())
}
