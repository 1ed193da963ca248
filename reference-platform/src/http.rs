//! The HTTP client the platform uses towards the provider and the resource: one timeout for
//! every request, no redirects followed, no cookies, bodies read up to a limit, and the access
//! token placed where the shape says.

use std::path::Path;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::Placement;
use oauth_vocab::Secret;

/// The largest provider response body read (token, metadata, resource).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// A client whose every request gives up after `timeout` and never follows a redirect (a
/// token endpoint that redirects is not answering); it trusts the web PKI roots and `extra`
/// CAs.
pub(crate) fn client(
    timeout: Duration,
    extra: &[reqwest::Certificate],
) -> Result<reqwest::Client, reqwest::Error> {
    extra
        .iter()
        .cloned()
        .fold(
            reqwest::Client::builder().use_rustls_tls(),
            reqwest::ClientBuilder::add_root_certificate,
        )
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("reference-platform/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The placeholder of the token segment in a resource URL (Kore.ai's "Path Param").
pub(crate) const TOKEN_SEGMENT: &str = "{access_token}";

/// What a path segment may hold as it is: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A GET (or, for the payload, a form POST) to `url` with the token where `placement` says;
/// for the path, percent-encoded into `url`'s `{access_token}` segment.
pub(crate) fn placed(
    http: &reqwest::Client,
    url: &str,
    token: &Secret,
    placement: Placement,
) -> reqwest::RequestBuilder {
    let request = match placement {
        Placement::Path => {
            let segment = utf8_percent_encode(token.expose(), SEGMENT).to_string();
            http.get(url.replace(TOKEN_SEGMENT, &segment))
        }
        Placement::Header => http.get(url).bearer_auth(token.expose()),
        Placement::Query => http.get(url).query(&[("access_token", token.expose())]),
        Placement::Payload => http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("access_token", token.expose())
                    .finish(),
            ),
    };
    request.header(reqwest::header::ACCEPT, "application/json")
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BodyError {
    /// Larger than [`MAX_BODY_BYTES`].
    #[error("the response is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// The transfer failed or timed out.
    #[error("{0}")]
    Transport(String),
}

/// Reads a response body, refusing more than [`MAX_BODY_BYTES`].
pub(crate) async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Transport(describe_transport(&e)))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The CAs of a PEM file (one or more `CERTIFICATE` blocks).
pub(crate) fn read_cas(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let cas = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{} holds no usable PEM certificate: {e}", path.display()))?;
    if cas.is_empty() {
        return Err(format!(
            "{} holds no PEM certificate (`-----BEGIN CERTIFICATE-----` blocks expected)",
            path.display()
        ));
    }
    Ok(cas)
}

/// A short description of a failed request that names no URL, header or body (a refused TLS
/// certificate names the host, and is logged).
pub(crate) fn describe_transport(error: &reqwest::Error) -> String {
    if let Some(tls) = tls_problem(error) {
        tracing::warn!(host = %tls.0, problem = %tls.1, "TLS with the provider failed");
        return format!(
            "could not be reached: the TLS handshake with {} failed: {}",
            tls.0, tls.1
        );
    }
    if error.is_timeout() {
        "did not answer in time".into()
    } else if error.is_connect() {
        "could not be reached".into()
    } else if error.is_body() || error.is_decode() {
        "sent a broken response".into()
    } else {
        "did not answer (the connection failed)".into()
    }
}

/// The host (`host:port`) and the TLS problem in words behind a failed request, if a TLS
/// problem is why it failed.
fn tls_problem(error: &reqwest::Error) -> Option<(String, String)> {
    let found = oauth_vocab::tls_failure(error, "the platform")?;
    let host = error
        .url()
        .and_then(|url| {
            Some(format!(
                "{}:{}",
                url.host_str()?,
                url.port_or_known_default()?
            ))
        })
        .unwrap_or_else(|| "the provider".to_owned());
    let problem = if found.certificate {
        format!(
            "its certificate is refused: {} (give the platform the provider's CA: ca_file, \
             --ca-file, REFERENCE_CA_FILE)",
            found.problem
        )
    } else {
        found.problem
    };
    Some((host, problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_placement_encodes_the_token_into_its_segment_only() {
        let http = reqwest::Client::new();
        let token = Secret::new("a/b+c=".to_owned());
        let request = placed(
            &http,
            "http://127.0.0.1:9/api/users/{access_token}/profile",
            &token,
            Placement::Path,
        )
        .build()
        .unwrap();
        assert_eq!(
            request.url().as_str(),
            "http://127.0.0.1:9/api/users/a%2Fb%2Bc%3D/profile"
        );
        assert!(request.headers().get("authorization").is_none());
        let header = placed(&http, "http://127.0.0.1:9/api", &token, Placement::Header)
            .build()
            .unwrap();
        assert_eq!(header.url().query(), None);
        assert!(header.headers().get("authorization").is_some());
    }
}
