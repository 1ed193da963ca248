//! The code and token stores under a flood: what a flow relies on stays, and a lost entry is
//! counted against its client.

use std::time::Duration;

use oauth_vocab::Finding;

use super::*;
use crate::pkce::ChallengeMethod;

fn grant(client: &str, state: &str) -> CodeGrant {
    CodeGrant {
        resources: Vec::new(),
        client_id: client.into(),
        tenant: None,
        redirect_uri: "https://platform.test/callback".into(),
        redirect_uri_sent: true,
        scopes: vec!["openid".into(), "profile".into()],
        challenge: Some(("challenge".into(), ChallengeMethod::S256)),
        subject: "alice".into(),
        extras: vec![("team".into(), "t1".into())],
        expires_at: Tick::after(Duration::from_secs(60)),
        state: Some(state.into()),
        redeemed_family: None,
    }
}

fn token(client: &str, kind: TokenKind, family: u64) -> TokenRecord {
    TokenRecord {
        audience: None,
        resources: Vec::new(),
        kind,
        client_id: client.into(),
        tenant: None,
        subject: "alice".into(),
        scopes: vec!["openid".into()],
        family,
        issued_at_unix: 0,
        expires_at_unix: 3_600,
        revoked: false,
        rotated: false,
        extras: Vec::new(),
        origin_state: Some("s".into()),
    }
}

const HOUR: Duration = Duration::from_secs(3_600);

/// Stores a token of `client` that lives an hour.
fn keep(stores: &mut Stores, name: &str, client: &str, kind: TokenKind, family: u64) {
    stores.insert_token(name, token(client, kind, family), HOUR, HOUR);
}

/// Issues `n` codes to the flood client.
fn flood_codes(stores: &mut Stores, n: usize) {
    for i in 0..n {
        stores.insert_code(&format!("ac_flood{i}"), grant("flood", &format!("f{i}")));
    }
}

#[test]
fn another_clients_live_code_survives_a_flood() {
    let mut stores = Stores::new(10, 10);
    stores.insert_code("ac_mine", grant("mine", "conformance"));
    flood_codes(&mut stores, 1_000);
    let kept = stores
        .code("ac_mine")
        .expect("the conformance code is kept");
    assert_eq!(kept.flow().state, Some("conformance"));
    assert_eq!(stores.sizes().0, 10);
    let lost = stores.evictions();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].client_id, "flood");
    assert_eq!(lost[0].codes, 1_000 - 9);
    assert!(lost[0].states.contains(&"f0".to_owned()));
}

#[test]
fn a_redeemed_code_shrinks_to_a_tombstone_that_still_revokes_its_family_on_replay() {
    let mut stores = Stores::new(10, 10);
    stores.insert_code("ac_mine", grant("mine", "conformance"));
    let family = stores.new_family();
    let redeemed = crate::code::redeemable(&mut stores, "ac_mine", "mine", None, false)
        .expect("first redemption");
    assert_eq!(redeemed.scopes, ["openid", "profile"]);
    assert_eq!(redeemed.extras, [("team".to_owned(), "t1".to_owned())]);
    crate::code::spend(&mut stores, "ac_mine", family, false);
    keep(&mut stores, "at_mine", "mine", TokenKind::Access, family);
    flood_codes(&mut stores, 1_000);
    let tombstone = stores.code("ac_mine").expect("the tombstone is kept");
    assert!(tombstone.grant().is_none(), "only the tombstone is kept");
    let replay = crate::code::redeemable(&mut stores, "ac_mine", "mine", None, false)
        .expect_err("a replay is refused");
    assert!(replay.findings.iter().any(|o| o.is(Finding::CodeReused)));
    assert_eq!(stores.token_state("at_mine").1, TokenState::Revoked);
}

#[test]
fn a_reused_rotated_refresh_token_still_revokes_its_family_after_a_flood() {
    let mut stores = Stores::new(10, 10);
    let family = stores.new_family();
    keep(&mut stores, "rt_old", "mine", TokenKind::Refresh, family);
    crate::refresh::redeemable(&mut stores, "rt_old", "mine").expect("first use");
    stores.rotate_token("rt_old");
    keep(&mut stores, "rt_new", "mine", TokenKind::Refresh, family);
    keep(&mut stores, "at_new", "mine", TokenKind::Access, family);
    for i in 0..1_000 {
        let flood = stores.new_family();
        keep(
            &mut stores,
            &format!("at_flood{i}"),
            "flood",
            TokenKind::Access,
            flood,
        );
    }
    let reuse =
        crate::refresh::redeemable(&mut stores, "rt_old", "mine").expect_err("a reuse is refused");
    assert!(reuse.findings.iter().any(|o| o.is(Finding::RefreshReused)));
    assert_eq!(stores.token_state("rt_new").1, TokenState::Revoked);
    assert_eq!(stores.token_state("at_new").1, TokenState::Revoked);
    assert!(stores.evictions().iter().all(|e| e.client_id == "flood"));
}

#[test]
fn dead_entries_go_before_any_live_one() {
    let mut stores = Stores::new(10, 3);
    let family = stores.new_family();
    // Two tokens that have expired and are past the time they are remembered for.
    for name in ["at_dead1", "at_dead2"] {
        stores.insert_token(
            name,
            token("flood", TokenKind::Access, family),
            Duration::ZERO,
            Duration::ZERO,
        );
    }
    keep(&mut stores, "at_live", "flood", TokenKind::Access, family);
    keep(&mut stores, "at_mine", "mine", TokenKind::Access, family);
    assert_eq!(stores.token_state("at_live").1, TokenState::Active);
    assert_eq!(stores.token_state("at_mine").1, TokenState::Active);
    assert!(stores.evictions().is_empty(), "{:?}", stores.evictions());
}
