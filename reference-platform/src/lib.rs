//! A small, correct chatbot-platform OAuth 2.0 client, for Gauntlet to drive by HTTP.
//!
//! It links a chat session to the user's account at a provider with the authorization-code flow
//! and PKCE S256, the way chatbot platforms do, and gets every client rule right (REQUIREMENTS
//! part A): metadata checked at start ([RFC 8414]), a fresh state and verifier per flow bound to
//! the browser and single-use, strict callbacks ([RFC 6749 §4.1.2], [RFC 9207]), one code
//! exchange with the configured client authentication, Bearer use ([RFC 6750]), one refresh on
//! 401 with rotation, revocation on unlink ([RFC 7009]), bounded stores and no secret in a log,
//! page or URL.
//!
//! | route | what |
//! |---|---|
//! | `GET /health` | `ok` |
//! | `GET /link?session={sid}` | web channel: sets the `rp_browser` cookie, 302 to the authorization endpoint |
//! | `POST /chat` `{"session","text"}` | chat channel: `You are linked as …` text, or an `oauth_button` (to `/chat/link/{ticket}`, or with [`ChatButton::AuthorizationUrl`] the authorization URL itself); the code a chat link's callback page showed makes the link |
//! | `GET /chat/link/{ticket}` | the button's single-use target: like `/link` |
//! | `GET {redirect_path}` (`/callback`) | the redirection endpoint: `Account linked…`, the code to send back in the chat (a flow started from a chat button), or `Linking failed: …` (400) |
//! | `GET /whoami?session={sid}` | probe: calls the resource API, JSON `{"linked":…}` |
//! | `POST /unlink?session={sid}` | revokes and forgets |
//!
//! Each [`Shape`] adds its routes and, through its `hooks`, changes the generic
//! flow where it differs (Converse's and Botpress's callback, Kore.ai's endpoints and token
//! placement):
//!
//! | shape | routes |
//! |---|---|
//! | CSML | `POST /csml/chat` `{"session","text"}`: an `OAuthRequest` message, and the event of the last callback; the confirmation code as text; `POST /csml/service` `{"session","text"}`: the API's answer through the chatbot-wide `client_credentials` token |
//! | Converse | `POST /converse/turn` `{"session","step"}` (`is_authenticated`, `account_link`, `get_access_token`, `confirm_link` with `code`); `POST /converse/channel-token` `{"session","access_token"}`; the callback only stores the code |
//! | Kore.ai | `POST /kore/test-authorization` `{"session"}`; authorization and token URLs from the profile's templates; the token in the header, payload, query or (`Placement::Path`) the resource URL's `{access_token}` segment |
//! | Botpress | `GET /botpress/{bot}/link?user=`, `GET /botpress/{bot}/whoami?user=`, `POST /botpress/webhook` `{"external_id"}`; one callback for every bot |
//! | MCP | `GET /call_tool?session=&tool=` (calls the tool; on a 403 `insufficient_scope` the next flow asks for the challenged scopes with the configured ones, and after two such re-authorizations it answers `"gave_up":true`); at start it connects to its MCP server (`resource_url`) and discovers the authorization server from the `401` (RFC 9728); flows send `resource` (RFC 8707); `/whoami` calls the server's `whoami` tool |
//!
//! Each rule lives in its own module: `flow` (state, verifier, authorization URL),
//! `callback`, `token_client`, `probe`, `chat`, `metadata`, `store`, `config`, `shapes`. The
//! layers go one way: `state` (what handlers share), `outcome` and `hooks` (where a shape
//! decides), the handlers, the shapes, and `app` (the router) with `server` on top. [`Defect`]s,
//! off by default, break one rule each, for `gauntlet mutants` to prove the suite catches them.
//!
//! ```no_run
//! use reference_platform::{AuthMethod, Platform, PlatformConfig};
//!
//! # async fn example() -> Result<(), reference_platform::StartError> {
//! let platform = Platform::start(PlatformConfig {
//!     issuer: "http://127.0.0.1:9090".into(),
//!     resource_url: "http://127.0.0.1:9090/api/resource".into(),
//!     client_id: "gauntlet-client".into(),
//!     client_secret: Some("gauntlet:secret+/=&%".into()),
//!     auth_method: AuthMethod::ClientSecretBasic,
//!     ..PlatformConfig::default()
//! })
//! .await?;
//! // Register platform.redirect_uri() at the provider, then send a browser to:
//! println!("{}/link?session=chat-1", platform.uri());
//! # Ok(()) }
//! ```
//!
//! [RFC 8414]: https://www.rfc-editor.org/rfc/rfc8414
//! [RFC 6749 §4.1.2]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
//! [RFC 9207]: https://www.rfc-editor.org/rfc/rfc9207
//! [RFC 6750]: https://www.rfc-editor.org/rfc/rfc6750
//! [RFC 7009]: https://www.rfc-editor.org/rfc/rfc7009

mod app;
mod browser;
mod callback;
mod chat;
mod config;
mod confirm;
mod defects;
mod flow;
mod hold;
mod hooks;
mod http;
mod link;
mod mcp_discovery;
mod mcp_registration;
mod mcp_rpc;
mod metadata;
mod outcome;
mod pages;
mod params;
mod probe;
mod server;
mod session;
mod shape_state;
mod shapes;
mod start_error;
mod state;
mod store;
mod token_client;
mod tool_call;

pub use config::{AuthMethod, ChatButton, KoreProfile, Placement, PlatformConfig, Shape};
pub use defects::{Defect, Defects};
pub use server::Platform;
pub use start_error::StartError;
