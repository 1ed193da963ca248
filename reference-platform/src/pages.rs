//! What the browser sees: small self-contained HTML pages (no scripts, no subresources) and JSON
//! answers, all with `Cache-Control: no-store` and `Referrer-Policy: no-referrer`, so that a
//! callback URL holding a code or state is neither cached nor leaked through `Referer`
//! ([RFC 9700 §4.2](https://www.rfc-editor.org/rfc/rfc9700#section-4.2)).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth_vocab::escape_html as escape;

/// The page shown after a successful link.
pub(crate) const LINKED: &str = "Account linked. You can return to the chat.";

/// The page that shows a chat link's confirmation code, before the code.
pub(crate) const CONFIRM: &str = "Almost done: to finish linking, send this code in the chat:";

/// Adds the headers every platform answer carries.
pub(crate) fn harden(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    response
}

/// An HTML page with one message.
pub(crate) fn page(status: StatusCode, message: &str) -> Response {
    let message = escape(message);
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"referrer\" \
         content=\"no-referrer\"><title>Reference platform</title></head>\n\
         <body><p>{message}</p></body></html>\n"
    );
    harden(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
    )
}

/// `400 Linking failed: <reason>`.
pub(crate) fn failure(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        &format!("Linking failed: {reason}"),
    )
}

/// `200 Account linked. …`
pub(crate) fn linked() -> Response {
    page(StatusCode::OK, LINKED)
}

/// `200 Account linked.` showing the access token (only for the `token_in_page` defect).
pub(crate) fn linked_showing(token: &str) -> Response {
    page(StatusCode::OK, &format!("{LINKED} Your token: {token}"))
}

/// The same page with a link to a help site and no referrer policy, header or `<meta>` (only
/// for the `no_referrer_policy` defect): following the link sends the callback URL in
/// `Referer`.
pub(crate) async fn leaky(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::REFERRER_POLICY);
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let html = String::from_utf8_lossy(&bytes)
        .replace("<meta name=\"referrer\" content=\"no-referrer\">", "")
        .replace(
            "</body>",
            "<p><a href=\"https://help.example.com/linking\">Help</a></p></body>",
        );
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// `200` with the code the chat user must send back in the chat to finish linking (and, only
/// for the `token_in_page` defect, the access token).
pub(crate) fn confirm(code: &str, token: Option<&str>) -> Response {
    let mut message = format!("{CONFIRM} {code}");
    if let Some(token) = token {
        message.push_str(&format!(" Your token: {token}"));
    }
    page(StatusCode::OK, &message)
}

/// A JSON answer with the same headers.
pub(crate) fn json(status: StatusCode, value: serde_json::Value) -> Response {
    harden((status, axum::Json(value)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_pages_are_400_and_hardened() {
        let response = failure("<b>");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[header::REFERRER_POLICY], "no-referrer");
    }
}
