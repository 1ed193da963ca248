//! Authorization server metadata ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)), read once
//! at start. The platform refuses to start when the document's `issuer` is not the configured
//! one (§3.3), when S256 is not offered ([RFC 7636 §7.2]), or when an endpoint is neither HTTPS
//! nor loopback — or, for an HTTPS issuer, not HTTPS at all (a downgrade).
//!
//! [RFC 7636 §7.2]: https://www.rfc-editor.org/rfc/rfc7636#section-7.2

use serde_json::Value;
use url::Url;

use crate::defects::{Defect, Defects};
use crate::http::read_limited;
use crate::start_error::StartError;

/// What the platform uses from the provider's metadata.
#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: Url,
    pub(crate) revocation_endpoint: Option<Url>,
    /// Whether authorization responses carry `iss` ([RFC 9207 §3](https://www.rfc-editor.org/rfc/rfc9207#section-3)).
    pub(crate) iss_parameter_supported: bool,
    /// Where clients register dynamically ([RFC 7591 §3](https://www.rfc-editor.org/rfc/rfc7591#section-3)).
    pub(crate) registration_endpoint: Option<Url>,
    /// Whether a `client_id` may be a Client ID Metadata Document URL (MCP authorization,
    /// client registration).
    pub(crate) client_id_metadata_document_supported: bool,
}

/// The well-known URLs to try for `issuer`: the RFC 8414 §3.1 form with the path inserted
/// after the well-known segment, then (for issuers with a path) the widespread appended form.
pub(crate) fn well_known_urls(issuer: &Url) -> Vec<Url> {
    const SEGMENT: &str = "/.well-known/oauth-authorization-server";
    let path = issuer.path().trim_end_matches('/');
    let mut inserted = issuer.clone();
    inserted.set_path(&format!("{SEGMENT}{path}"));
    let mut urls = vec![inserted];
    if !path.is_empty() {
        let mut appended = issuer.clone();
        appended.set_path(&format!("{path}{SEGMENT}"));
        urls.push(appended);
    }
    urls
}

/// The well-known URLs an MCP client tries for `issuer`, in the order MCP authorization
/// (2025-11-25 and later, "Authorization Server Metadata Discovery") lists: for an issuer with
/// a path, RFC 8414 then OpenID Connect discovery with the path inserted, then OpenID Connect
/// discovery with the path appended; without one, RFC 8414's then OpenID Connect's. Never the
/// root URLs for an issuer with a path: they describe another issuer. The `no_oidc_discovery`
/// defect tries RFC 8414's URLs only; `as_metadata_root_only` the root one only.
pub(crate) fn mcp_well_known_urls(issuer: &Url, defects: &Defects) -> Vec<Url> {
    const OAUTH: &str = "/.well-known/oauth-authorization-server";
    const OPENID: &str = "/.well-known/openid-configuration";
    let path = issuer.path().trim_end_matches('/');
    let at = |path: String| {
        let mut url = issuer.clone();
        url.set_path(&path);
        url
    };
    if defects.has(Defect::AsMetadataRootOnly) {
        vec![at(OAUTH.to_owned())]
    } else if defects.has(Defect::NoOidcDiscovery) {
        well_known_urls(issuer)
    } else if path.is_empty() {
        vec![at(OAUTH.to_owned()), at(OPENID.to_owned())]
    } else {
        vec![
            at(format!("{OAUTH}{path}")),
            at(format!("{OPENID}{path}")),
            at(format!("{path}{OPENID}")),
        ]
    }
}

/// Parses the configured issuer: an absolute HTTPS (or loopback HTTP) URL without query or
/// fragment ([RFC 8414 §2](https://www.rfc-editor.org/rfc/rfc8414#section-2)).
pub(crate) fn parse_issuer(issuer: &str) -> Result<Url, StartError> {
    let url = Url::parse(issuer).map_err(|e| StartError::Config {
        field: "issuer",
        reason: format!("{issuer:?} is not a URL: {e}"),
    })?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(StartError::Config {
            field: "issuer",
            reason: format!("{issuer:?} has a query or fragment (RFC 8414 §2)"),
        });
    }
    require_secure("issuer", &url)?;
    Ok(url)
}

/// Fetches and checks the metadata document at the first of `urls` that serves one (by
/// default the [`well_known_urls`] of `issuer`; an MCP client's are [`mcp_well_known_urls`]).
/// With the `plain_token_endpoint` defect, an HTTPS issuer's plain token endpoint is let
/// through.
pub(crate) async fn discover(
    http: &reqwest::Client,
    issuer: &str,
    urls: Option<Vec<Url>>,
    defects: &Defects,
) -> Result<Metadata, StartError> {
    let issuer_url = parse_issuer(issuer)?;
    let mut failures = Vec::new();
    for url in urls.unwrap_or_else(|| well_known_urls(&issuer_url)) {
        match fetch(http, &url).await {
            Ok(document) => return check(issuer, &document, defects),
            Err(reason) => failures.push(format!("{url}: {reason}")),
        }
    }
    Err(StartError::Discovery {
        reason: failures.join("; "),
    })
}

/// Fetches one JSON-object document.
pub(crate) async fn fetch(http: &reqwest::Client, url: &Url) -> Result<Value, String> {
    let response = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| crate::http::describe_transport(&e))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(format!("answered HTTP {}", status.as_u16()));
    }
    let body = read_limited(response)
        .await
        .map_err(|e| format!("the body could not be read: {e}"))?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|_| "the body is not JSON".to_owned())?;
    if !value.is_object() {
        return Err("the body is not a JSON object".into());
    }
    Ok(value)
}

/// Checks a metadata document against the configured issuer.
pub(crate) fn check(
    issuer: &str,
    document: &Value,
    defects: &Defects,
) -> Result<Metadata, StartError> {
    let invalid = |reason: String| StartError::Metadata { reason };
    let found = document.get("issuer").and_then(Value::as_str);
    if found != Some(issuer) && !defects.has(Defect::AsIssuerUnchecked) {
        return Err(StartError::IssuerMismatch {
            expected: issuer.to_owned(),
            found: found.map(str::to_owned),
        });
    }
    let methods: Vec<&str> = document
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // The `ignores_missing_pkce_methods` defect: no list is taken as a yes.
    let unlisted = document.get("code_challenge_methods_supported").is_none()
        && defects.has(Defect::IgnoresMissingPkceMethods);
    if !methods.contains(&"S256") && !unlisted {
        return Err(StartError::S256Unsupported {
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
        });
    }
    if let Some(types) = document.get("response_types_supported") {
        let has_code = types
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t.as_str() == Some("code")));
        if !has_code {
            return Err(invalid(
                "response_types_supported does not include \"code\"".into(),
            ));
        }
    }
    let iss_parameter_supported =
        match document.get("authorization_response_iss_parameter_supported") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(invalid(
                    "authorization_response_iss_parameter_supported is not a boolean".into(),
                ));
            }
        };
    let metadata = Metadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: authorization_endpoint(document, defects)?,
        token_endpoint: required_endpoint(document, "token_endpoint")?,
        revocation_endpoint: endpoint(document, "revocation_endpoint")?,
        iss_parameter_supported,
        registration_endpoint: endpoint(document, "registration_endpoint")?,
        client_id_metadata_document_supported: document
            .get("client_id_metadata_document_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    no_downgrade(&metadata, defects)?;
    Ok(metadata)
}

/// An HTTPS issuer's endpoints are HTTPS too: the loopback exemption of [`require_secure`] is
/// for a provider served over plain HTTP on loopback as a whole, never for a plain endpoint
/// that metadata served over TLS points to (a downgrade: RFC 6749 §3.1, §3.2, §10.9). The
/// `plain_token_endpoint` defect skips the token endpoint.
fn no_downgrade(metadata: &Metadata, defects: &Defects) -> Result<(), StartError> {
    if !metadata.issuer.to_ascii_lowercase().starts_with("https://") {
        return Ok(());
    }
    let endpoints = [
        (
            "authorization_endpoint",
            Some(&metadata.authorization_endpoint),
        ),
        ("token_endpoint", Some(&metadata.token_endpoint)),
        ("revocation_endpoint", metadata.revocation_endpoint.as_ref()),
    ];
    for (name, url) in endpoints {
        if name == "token_endpoint" && defects.has(Defect::PlainTokenEndpoint) {
            continue;
        }
        if let Some(url) = url.filter(|u| u.scheme() != "https") {
            return Err(StartError::Downgrade {
                name,
                url: url.to_string(),
            });
        }
    }
    Ok(())
}

/// The authorization endpoint, which the browser is sent to: checked like every endpoint, so
/// that no `javascript:`, `data:`, `file:` or made-up scheme (CVE-2025-6514) reaches a browser or
/// an opener. The `opens_any_authorization_endpoint` defect takes any URL.
fn authorization_endpoint(document: &Value, defects: &Defects) -> Result<Url, StartError> {
    const NAME: &str = "authorization_endpoint";
    if !defects.has(Defect::OpensAnyAuthorizationEndpoint) {
        return required_endpoint(document, NAME);
    }
    (document.get(NAME).and_then(Value::as_str))
        .and_then(|text| Url::parse(text).ok())
        .ok_or_else(|| StartError::Metadata {
            reason: format!("{NAME} is missing or no URL"),
        })
}

fn required_endpoint(document: &Value, name: &'static str) -> Result<Url, StartError> {
    endpoint(document, name)?.ok_or_else(|| StartError::Metadata {
        reason: format!("{name} is missing"),
    })
}

/// An endpoint URL from the document, if present: absolute, no fragment, HTTPS or loopback.
fn endpoint(document: &Value, name: &'static str) -> Result<Option<Url>, StartError> {
    let invalid = |reason: String| StartError::Metadata { reason };
    let Some(value) = document.get(name) else {
        return Ok(None);
    };
    let text = value
        .as_str()
        .ok_or_else(|| invalid(format!("{name} is not a string")))?;
    let url = Url::parse(text).map_err(|e| invalid(format!("{name} is not a URL: {e}")))?;
    if url.fragment().is_some() {
        return Err(invalid(format!("{name} has a fragment")));
    }
    require_secure(name, &url)?;
    Ok(Some(url))
}

/// HTTPS, or plain HTTP to a loopback host ([RFC 6749 §3.1, §3.2]; RFC 8252 §8.3).
///
/// [RFC 6749 §3.1, §3.2]: https://www.rfc-editor.org/rfc/rfc6749#section-3.1
pub(crate) fn require_secure(name: &'static str, url: &Url) -> Result<(), StartError> {
    let loopback = url.host_str().is_some_and(oauth_vocab::is_loopback_host);
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(StartError::Insecure {
            name,
            url: url.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "http://127.0.0.1:9090";

    fn document() -> Value {
        json!({
            "issuer": ISSUER,
            "authorization_endpoint": "http://127.0.0.1:9090/authorize",
            "token_endpoint": "http://127.0.0.1:9090/token",
            "revocation_endpoint": "http://127.0.0.1:9090/revoke",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "unknown_member": {"ignored": true},
        })
    }

    #[test]
    fn a_good_document_is_accepted() {
        let m = check(ISSUER, &document(), &Defects::none()).unwrap();
        assert!(m.iss_parameter_supported);
        assert_eq!(m.token_endpoint.as_str(), "http://127.0.0.1:9090/token");
        assert!(m.revocation_endpoint.is_some());
    }

    #[test]
    fn a_different_issuer_is_refused() {
        let err = check("http://127.0.0.1:9090/", &document(), &Defects::none()).unwrap_err();
        assert!(matches!(err, StartError::IssuerMismatch { .. }), "{err}");
    }

    #[test]
    fn missing_or_plain_only_pkce_is_refused() {
        let mut doc = document();
        doc["code_challenge_methods_supported"] = json!(["plain"]);
        assert!(matches!(
            check(ISSUER, &doc, &Defects::none()),
            Err(StartError::S256Unsupported { .. })
        ));
        doc.as_object_mut()
            .unwrap()
            .remove("code_challenge_methods_supported");
        assert!(matches!(
            check(ISSUER, &doc, &Defects::none()),
            Err(StartError::S256Unsupported { .. })
        ));
    }

    #[test]
    fn non_loopback_http_endpoints_are_refused() {
        let mut doc = document();
        doc["token_endpoint"] = json!("http://auth.example.com/token");
        assert!(matches!(
            check(ISSUER, &doc, &Defects::none()),
            Err(StartError::Insecure { .. })
        ));
        doc["token_endpoint"] = json!("https://auth.example.com/token");
        assert!(check(ISSUER, &doc, &Defects::none()).is_ok());
    }

    #[test]
    fn an_https_issuer_may_not_point_to_a_plain_loopback_endpoint() {
        let issuer = "https://127.0.0.1:9443";
        let mut doc = document();
        doc["issuer"] = json!(issuer);
        for member in [
            "authorization_endpoint",
            "token_endpoint",
            "revocation_endpoint",
        ] {
            let name = member.trim_end_matches("_endpoint");
            let path = if name == "authorization" {
                "authorize"
            } else if name == "revocation" {
                "revoke"
            } else {
                name
            };
            doc[member] = json!(format!("{issuer}/{path}"));
        }
        assert!(check(issuer, &doc, &Defects::none()).is_ok());
        doc["token_endpoint"] = json!("http://127.0.0.1:9090/token");
        assert!(
            matches!(
                check(issuer, &doc, &Defects::none()),
                Err(StartError::Downgrade {
                    name: "token_endpoint",
                    ..
                })
            ),
            "a downgrade to plain HTTP is refused even on loopback"
        );
        let defective: Defects = "plain_token_endpoint".parse().unwrap();
        let accepted = check(issuer, &doc, &defective).expect("the defect lets it through");
        assert_eq!(
            accepted.token_endpoint.as_str(),
            "http://127.0.0.1:9090/token"
        );
        doc["revocation_endpoint"] = json!("http://127.0.0.1:9090/revoke");
        assert!(
            check(issuer, &doc, &defective).is_err(),
            "the defect skips the token endpoint only"
        );
    }

    #[test]
    fn an_authorization_endpoint_no_browser_may_open_is_refused() {
        for hostile in [
            "javascript:alert(document.domain)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "a:$(echo${IFS}pwned)",
        ] {
            let mut doc = document();
            doc["authorization_endpoint"] = json!(hostile);
            assert!(
                matches!(
                    check(ISSUER, &doc, &Defects::none()),
                    Err(StartError::Insecure { .. })
                ),
                "{hostile}"
            );
            let defective: Defects = "opens_any_authorization_endpoint".parse().unwrap();
            assert!(check(ISSUER, &doc, &defective).is_ok(), "{hostile}");
        }
    }

    #[test]
    fn an_unchecked_issuer_is_the_as_issuer_unchecked_defect() {
        let mut doc = document();
        doc["issuer"] = json!("https://other.example.test");
        assert!(check(ISSUER, &doc, &Defects::none()).is_err());
        let defective: Defects = "as_issuer_unchecked".parse().unwrap();
        assert_eq!(check(ISSUER, &doc, &defective).unwrap().issuer, ISSUER);
    }

    #[test]
    fn missing_iss_support_means_false() {
        let mut doc = document();
        doc.as_object_mut()
            .unwrap()
            .remove("authorization_response_iss_parameter_supported");
        assert!(
            !check(ISSUER, &doc, &Defects::none())
                .unwrap()
                .iss_parameter_supported
        );
    }

    #[test]
    fn well_known_urls_use_path_insertion() {
        let root = Url::parse("http://127.0.0.1:1").unwrap();
        assert_eq!(
            well_known_urls(&root)
                .iter()
                .map(Url::as_str)
                .collect::<Vec<_>>(),
            ["http://127.0.0.1:1/.well-known/oauth-authorization-server"]
        );
        let tenant = Url::parse("http://127.0.0.1:1/t/acme").unwrap();
        assert_eq!(
            well_known_urls(&tenant)
                .iter()
                .map(Url::as_str)
                .collect::<Vec<_>>(),
            [
                "http://127.0.0.1:1/.well-known/oauth-authorization-server/t/acme",
                "http://127.0.0.1:1/t/acme/.well-known/oauth-authorization-server",
            ]
        );
    }

    #[test]
    fn an_mcp_client_tries_openid_discovery_too_and_never_the_root_for_a_path() {
        let urls = |issuer: &str, defects: &str| {
            let issuer = Url::parse(issuer).unwrap();
            mcp_well_known_urls(&issuer, &defects.parse().unwrap())
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            urls("http://127.0.0.1:1/t/acme", ""),
            [
                "http://127.0.0.1:1/.well-known/oauth-authorization-server/t/acme",
                "http://127.0.0.1:1/.well-known/openid-configuration/t/acme",
                "http://127.0.0.1:1/t/acme/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            urls("http://127.0.0.1:1", ""),
            [
                "http://127.0.0.1:1/.well-known/oauth-authorization-server",
                "http://127.0.0.1:1/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            urls("http://127.0.0.1:1/t/acme", "as_metadata_root_only"),
            ["http://127.0.0.1:1/.well-known/oauth-authorization-server"]
        );
        assert!(
            urls("http://127.0.0.1:1/t/acme", "no_oidc_discovery")
                .iter()
                .all(|u| !u.contains("openid"))
        );
    }

    #[test]
    fn issuers_with_query_or_plain_http_are_refused() {
        assert!(parse_issuer("http://127.0.0.1:1?x=1").is_err());
        assert!(parse_issuer("http://auth.example.com").is_err());
        assert!(parse_issuer("https://auth.example.com").is_ok());
        assert!(parse_issuer("http://localhost:8080").is_ok());
    }
}
