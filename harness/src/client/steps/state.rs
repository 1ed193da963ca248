//! Steps of `state.feature` (RFC 6749 §10.12, RFC 9700 §4.7).

use cucumber::{then, when};

use super::flow::{callback_of, with_query};
use crate::client::world::{GauntletWorld, StepResult};

#[then("the authorization request carries a state")]
async fn carries_state(world: &mut GauntletWorld) -> StepResult {
    match world.last_flow(None)?.state() {
        Some(_) => Ok(()),
        None => Err("the authorization request carries no state: the callback cannot be tied to the session (CSRF)".into()),
    }
}

/// Checks that `values` holds `count` distinct entries.
pub(super) fn all_distinct(values: &[String], count: usize, what: &str) -> StepResult {
    if values.len() < count {
        return Err(format!(
            "only {} of {count} flows carried a {what}",
            values.len()
        ));
    }
    let mut unique = values.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() == values.len() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} {what}s repeat an earlier one",
            values.len() - unique.len(),
            values.len()
        ))
    }
}

#[then(expr = "the {int} states are all different")]
async fn states_distinct(world: &mut GauntletWorld, count: usize) -> StepResult {
    let states: Vec<String> = world.flows.iter().filter_map(|f| f.state()).collect();
    all_distinct(&states, count, "state")
}

/// Bits of entropy a string can carry at most, judged by its length and the smallest usual
/// alphabet that contains all its characters.
pub(crate) fn entropy_bits(value: &str) -> f64 {
    let alphabet: f64 = if value.bytes().all(|b| b.is_ascii_digit()) {
        10.0
    } else if value.bytes().all(|b| b.is_ascii_hexdigit()) {
        16.0
    } else if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        62.0
    } else if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        64.0
    } else {
        94.0
    };
    value.chars().count() as f64 * alphabet.log2()
}

#[then("every state carries at least 128 bits judged by its length and alphabet")]
async fn states_unguessable(world: &mut GauntletWorld) -> StepResult {
    for state in world.flows.iter().filter_map(|f| f.state()) {
        let bits = entropy_bits(&state);
        if bits < 128.0 {
            return Err(format!(
                "a state of {} characters carries at most {bits:.0} bits (128 needed)",
                state.len()
            ));
        }
    }
    Ok(())
}

#[when(regex = r"^(\w+) returns to the platform with the state (altered|removed)$")]
async fn returns_with_bad_state(
    world: &mut GauntletWorld,
    user: String,
    how: String,
) -> StepResult {
    let callback = callback_of(world, &user)?;
    let tampered = with_query(&callback, |pairs| {
        if how == "removed" {
            pairs.retain(|(n, _)| n != "state");
        } else {
            for (_, value) in pairs.iter_mut().filter(|(n, _)| n == "state") {
                *value = if value.is_empty() {
                    "x".into()
                } else {
                    value.chars().rev().collect::<String>() + "x"
                };
            }
        }
    })?;
    let reply = world.deliver(&user, &tampered).await?;
    world.keep_callback(&user, reply).await
}

#[when(regex = r"^(\w+) returns to the platform with the same callback again$")]
async fn replays(world: &mut GauntletWorld, user: String) -> StepResult {
    let callback = callback_of(world, &user)?;
    let reply = world.deliver(&user, &callback).await?;
    world.keep_callback(&user, reply).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_is_judged_by_length_and_alphabet() {
        assert!(entropy_bits(&"a".repeat(43)) < 256.0);
        assert!(entropy_bits("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") >= 128.0);
        assert!(entropy_bits("0123456789abcdef0123456789abcdef") >= 128.0);
        assert!(entropy_bits("12345678") < 128.0);
    }
}

#[when(regex = r"^(\w+) returns to the platform with the (code|state) repeated$")]
async fn returns_with_repeated(
    world: &mut GauntletWorld,
    user: String,
    name: String,
) -> StepResult {
    let callback = callback_of(world, &user)?;
    let repeated = with_query(&callback, |pairs| {
        pairs.push((name.clone(), "injected-by-an-attacker".to_owned()));
    })?;
    let reply = world.deliver(&user, &repeated).await?;
    world.keep_callback(&user, reply).await
}
