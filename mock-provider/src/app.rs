//! The router that serves every endpoint over the shared [`AppState`], with the journal
//! middleware in front of all but the control API.

use axum::Router;
use axum::routing::{any, get, post};

use crate::endpoints::wrong_method::{json, page};
use crate::endpoints::{
    admin, authorize, discovery, introspect, login, register, resource, revoke, token,
};
use crate::record;
use crate::state::AppState;

fn oauth_routes(state: &AppState) -> Router<AppState> {
    let paths = &state.config.paths;
    let mut router = Router::new()
        .route(
            &paths.authorize,
            get(authorize::handle).fallback(page("GET")),
        )
        .route(&paths.token, post(token::handle).fallback(json("POST")))
        .route(
            &paths.userinfo,
            get(resource::userinfo)
                .post(resource::userinfo)
                .fallback(json("GET, POST")),
        )
        .route(&paths.revoke, post(revoke::handle).fallback(json("POST")))
        .route(
            &paths.introspect,
            post(introspect::handle).fallback(json("POST")),
        )
        .route(
            &paths.register,
            post(register::handle).fallback(json("POST")),
        )
        .route(
            &paths.login,
            get(login::login_page)
                .post(login::login_submit)
                .fallback(page("GET, POST")),
        )
        .route(
            &paths.consent,
            get(login::consent_page)
                .post(login::consent_submit)
                .fallback(page("GET, POST")),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::metadata).fallback(json("GET")),
        )
        .route(
            "/.well-known/openid-configuration",
            get(discovery::metadata).fallback(json("GET")),
        )
        .route(&state.config.resource.path, any(resource::api));
    if let Some(path) = &state.config.resource.token_path {
        router = router.route(path, any(resource::api_in_path));
    }
    if state.signer.is_some() {
        router = router.route(&paths.jwks, get(discovery::jwks).fallback(json("GET")));
    }
    router
}

/// Every route: the OAuth endpoints at the root and under `/t/{tenant}`, RFC 8414 path-inserted
/// metadata, the MCP endpoint and its metadata when configured, and the control API. Every request outside `/_admin` is journaled.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(oauth_routes(&state))
        .nest("/t/{tenant}", oauth_routes(&state))
        .route(
            "/.well-known/oauth-authorization-server/t/{tenant}",
            get(discovery::metadata).fallback(json("GET")),
        )
        .route(
            "/.well-known/openid-configuration/t/{tenant}",
            get(discovery::metadata).fallback(json("GET")),
        )
        .merge(crate::mcp::routes(&state))
        .fallback(discovery::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            record::journal_layer,
        ))
        .nest("/_admin", admin::routes(&state))
        .with_state(state)
}
