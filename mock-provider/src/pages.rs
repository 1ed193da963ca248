//! The HTML the provider shows a browser: the page frame, login and consent (the error page is
//! [`OAuthError::into_page`](crate::OAuthError::into_page)).
//! Plain server-rendered forms, so any browser driver — or a person — can get through them.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub(crate) use oauth_vocab::escape_html as escape;

/// A whole HTML page with this title and body.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}label{{display:block;margin:.5rem 0}}</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n",
        title = escape(title)
    )
}

/// The login form.
pub(crate) fn login(
    action: &str,
    interaction: &str,
    csrf: &str,
    client_id: &str,
    failed: bool,
) -> Response {
    let notice = if failed {
        "<p id=\"login-error\" role=\"alert\">Wrong username or password.</p>\n"
    } else {
        ""
    };
    let body = format!(
        "<p>Sign in to continue to <strong>{client}</strong>.</p>\n{notice}\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"interaction\" value=\"{interaction}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <label>Username <input name=\"username\" autocomplete=\"username\" required></label>\n\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n",
        client = escape(client_id),
        action = escape(action),
        interaction = escape(interaction),
        csrf = escape(csrf),
    );
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (status, Html(page("Sign in", &body))).into_response()
}

/// The consent form: approve or deny the listed scopes.
pub(crate) fn consent(
    action: &str,
    interaction: &str,
    csrf: &str,
    client_id: &str,
    user: &str,
    scopes: &[String],
) -> Response {
    let items: String = scopes
        .iter()
        .map(|s| format!("<li>{}</li>\n", escape(s)))
        .collect();
    let body = format!(
        "<p>Signed in as <strong>{user}</strong>.</p>\n\
         <p><strong>{client}</strong> asks for access to:</p>\n<ul id=\"scopes\">\n{items}</ul>\n\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"interaction\" value=\"{interaction}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>\n",
        user = escape(user),
        client = escape(client_id),
        action = escape(action),
        interaction = escape(interaction),
        csrf = escape(csrf),
    );
    Html(page("Authorize access", &body)).into_response()
}
