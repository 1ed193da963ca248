//! The journal as it is written out: each entry redacted by name and by value, with every secret
//! the provider knows — registered client secrets, user passwords, the CSRF tokens of pending
//! interactions, browser sessions, and the secret values any journaled request or response
//! carried (issued codes and tokens among them), wherever they appear. Collected once per
//! listing, not per request.

use oauth_vocab::redact::SecretValues;

use crate::journal::JournalEntry;
use crate::state::{AppState, lock};

/// `entries` with every secret the provider knows masked.
pub(crate) fn redacted(state: &AppState, entries: &[JournalEntry]) -> Vec<JournalEntry> {
    let redactor = known_secrets(state).redactor();
    entries.iter().map(|e| e.redacted_with(&redactor)).collect()
}

/// Every secret value the provider holds or saw.
pub(crate) fn known_secrets(state: &AppState) -> SecretValues {
    let mut secrets = SecretValues::new();
    for client in state.clients_snapshot() {
        if let Some(secret) = &client.client_secret {
            secrets.add(secret);
        }
    }
    for user in &state.config.users {
        secrets.add(&user.password);
    }
    lock(&state.interactions).collect_secrets(&mut secrets);
    state.journal.collect_secrets(&mut secrets);
    secrets
}
