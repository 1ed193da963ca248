//! Kore.ai: an authorization profile — URLs with `{tenant}` and dynamic fields, scopes as
//! key/value pairs, the token placed in the header, payload, query or path ("Path Param": the
//! resource URL's `{access_token}` segment) of later API calls — and its "test authorization"
//! action, whose verdict is what the API really answered.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::config::{KoreProfile, Placement, PlatformConfig};
use crate::defects::{Defect, Defects};
use crate::hooks::ShapeHooks;
use crate::http::{TOKEN_SEGMENT, placed, read_limited};
use crate::metadata::Metadata;
use crate::pages;
use crate::params::valid_session;
use crate::start_error::StartError;
use crate::state::AppState;

/// Fills `{provider}` (the issuer's origin), `{tenant}` and the dynamic fields.
fn fill(template: &str, provider: &str, profile: &KoreProfile) -> String {
    let mut out = template
        .replace("{provider}", provider)
        .replace("{tenant}", &profile.tenant);
    for (name, value) in &profile.fields {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The Kore.ai hooks, with the authorization profile.
#[derive(Debug)]
pub(crate) struct Kore(pub(crate) KoreProfile);

impl ShapeHooks for Kore {
    fn routes(&self) -> Router<AppState> {
        Router::new().route("/kore/test-authorization", post(test_authorization))
    }

    /// The authorization and token URLs come from the profile's templates, filled with the
    /// issuer's origin, the tenant and the dynamic fields; the profile's scope keys, if any,
    /// replace the configured scopes.
    fn prepare(
        &self,
        config: &mut PlatformConfig,
        metadata: &mut Metadata,
    ) -> Result<(), StartError> {
        let profile = &self.0;
        let origin = url::Url::parse(&config.issuer)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let url = |field: &'static str, template: &str| {
            let filled = fill(template, &origin, profile);
            url::Url::parse(&filled).map_err(|e| StartError::Config {
                field,
                reason: format!("{filled:?} (from {template:?}) is not a URL: {e}"),
            })
        };
        metadata.authorization_endpoint =
            url("kore.authorization_url", &profile.authorization_url)?;
        metadata.token_endpoint = url("kore.token_url", &profile.token_url)?;
        if !profile.scopes.is_empty() {
            config.scopes = profile.scopes.iter().map(|(key, _)| key.clone()).collect();
        }
        if profile.placement == Placement::Path {
            check_token_segment(&config.resource_url)?;
        }
        Ok(())
    }

    /// The profile's placement (the `kore_field_misplaced` defect: the query).
    fn placement(&self, defects: &Defects) -> Placement {
        if defects.has(Defect::KoreFieldMisplaced) {
            Placement::Query
        } else {
            self.0.placement
        }
    }
}

/// With the path placement, the resource URL holds `{access_token}` as one whole segment.
fn check_token_segment(url: &str) -> Result<(), StartError> {
    let sample = url.replace(TOKEN_SEGMENT, "token");
    let whole = url.split('/').filter(|s| *s == TOKEN_SEGMENT).count() == 1
        && url.matches(TOKEN_SEGMENT).count() == 1;
    let reason = if !whole {
        Some(format!(
            "{url:?} must hold {TOKEN_SEGMENT} once, as a whole path segment, for the path placement"
        ))
    } else {
        url::Url::parse(&sample)
            .err()
            .map(|e| format!("{url:?} is not a URL: {e}"))
    };
    match reason {
        Some(reason) => Err(StartError::Config {
            field: "resource_url",
            reason,
        }),
        None => Ok(()),
    }
}

#[derive(Debug, Deserialize)]
struct Test {
    session: String,
}

/// `POST /kore/test-authorization {"session"}`: calls the API with the session's token and
/// reports `{"result": "success"|"failure", "status", "headers", "body"}` as it came back.
async fn test_authorization(
    State(state): State<AppState>,
    body: Result<Json<Test>, JsonRejection>,
) -> Response {
    let Ok(Json(test)) = body else {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "expected {\"session\": \"…\"}" }),
        );
    };
    if !valid_session(&test.session) {
        return pages::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "the session is not valid" }),
        );
    }
    let Some(linked) = state.sessions.get(&test.session) else {
        return pages::json(
            StatusCode::OK,
            json!({ "result": "failure", "reason": "no authorization for this session" }),
        );
    };
    let request = placed(
        &state.http,
        &state.config.resource_url,
        &linked.access_token,
        state.placement,
    );
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            return pages::json(
                StatusCode::OK,
                json!({ "result": "failure", "reason": crate::http::describe_transport(&error) }),
            );
        }
    };
    let status = response.status().as_u16();
    let headers: serde_json::Map<String, serde_json::Value> = response
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), json!(v.to_str().ok()?))))
        .collect();
    let body = read_limited(response).await.unwrap_or_default();
    let result = if (200..300).contains(&status) {
        "success"
    } else {
        "failure"
    };
    pages::json(
        StatusCode::OK,
        json!({
            "result": result,
            "status": status,
            "headers": headers,
            "body": String::from_utf8_lossy(&body),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kore() -> Kore {
        Kore(KoreProfile {
            tenant: "acme".into(),
            authorization_url: "{provider}/t/{tenant}/authorize?region={region}".into(),
            token_url: "{provider}/t/{tenant}/token".into(),
            fields: vec![("region".into(), "eu".into())],
            scopes: vec![("read".into(), "Read".into())],
            placement: Placement::Payload,
        })
    }

    fn metadata() -> Metadata {
        let url = url::Url::parse("http://127.0.0.1:9/x").unwrap();
        Metadata {
            issuer: "http://127.0.0.1:9/issuer".into(),
            authorization_endpoint: url.clone(),
            token_endpoint: url,
            revocation_endpoint: None,
            iss_parameter_supported: false,
            registration_endpoint: None,
            client_id_metadata_document_supported: false,
        }
    }

    #[test]
    fn prepare_fills_the_templates_and_takes_the_profiles_scopes() {
        let mut config = PlatformConfig {
            issuer: "http://127.0.0.1:9/issuer".into(),
            scopes: vec!["other".into()],
            ..PlatformConfig::default()
        };
        let mut metadata = metadata();
        kore().prepare(&mut config, &mut metadata).unwrap();
        assert_eq!(
            metadata.authorization_endpoint.as_str(),
            "http://127.0.0.1:9/t/acme/authorize?region=eu"
        );
        assert_eq!(
            metadata.token_endpoint.as_str(),
            "http://127.0.0.1:9/t/acme/token"
        );
        assert_eq!(config.scopes, ["read"]);
    }

    #[test]
    fn a_template_that_is_no_url_is_refused() {
        let mut kore = kore();
        kore.0.token_url = "{tenant}/token".into();
        let error = kore
            .prepare(&mut PlatformConfig::default(), &mut metadata())
            .unwrap_err();
        assert!(matches!(
            error,
            StartError::Config {
                field: "kore.token_url",
                ..
            }
        ));
    }

    #[test]
    fn the_path_placement_needs_a_token_segment_in_the_resource_url() {
        let mut kore = kore();
        kore.0.placement = Placement::Path;
        for (url, ok) in [
            ("http://127.0.0.1:9/api/users/{access_token}/profile", true),
            ("http://127.0.0.1:9/api/resource", false),
            ("http://127.0.0.1:9/api/x{access_token}", false),
            ("http://127.0.0.1:9/{access_token}/{access_token}", false),
            ("not a url/{access_token}", false),
        ] {
            let mut config = PlatformConfig {
                resource_url: url.into(),
                ..PlatformConfig::default()
            };
            let result = kore.prepare(&mut config, &mut metadata());
            assert_eq!(result.is_ok(), ok, "{url}: {result:?}");
            if let Err(error) = result {
                assert!(matches!(
                    error,
                    StartError::Config {
                        field: "resource_url",
                        ..
                    }
                ));
            }
        }
    }

    #[test]
    fn the_profile_places_the_token_unless_the_defect_misplaces_it() {
        assert_eq!(kore().placement(&Defects::none()), Placement::Payload);
        let misplaced: Defects = "kore_field_misplaced".parse().unwrap();
        assert_eq!(kore().placement(&misplaced), Placement::Query);
        let web = crate::shapes::web::Web;
        assert_eq!(web.placement(&misplaced), Placement::Header);
    }
}
