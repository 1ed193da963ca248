#!/usr/bin/env python3
"""A small chatbot that links each chat user to a third-party account with Authlib.

Written the way Authlib's documentation shows for ``authlib.integrations.requests_client``'s
``OAuth2Session``: the authorization URL and its state from ``create_authorization_url`` (PKCE
S256 with a verifier from ``generate_token(48)``), the callback handed to ``fetch_token`` as
``authorization_response`` with the state and verifier kept for that flow, the token used on the
API through the session (a Bearer header, refreshed by Authlib when ``expires_at`` has passed, and
after a 401 through ``refresh_token``), ``update_token`` storing what a refresh returns.

Routes (``{sid}`` is the chat user's id):

- ``POST /chat`` ``{"session": sid, "text": "link"}``: a message with a "Link your account"
  button to ``/link?session=sid``; ``"text": "status"``: "Your account is linked" or "Your
  account is not linked" after asking the API.
- ``GET /link?session=sid``: starts a flow in the browser's session (the ``chatbot_session``
  cookie, set here when absent) and redirects to the authorization endpoint.
- ``GET /callback``: the flow is found by ``state`` in the browser's session and taken out of
  it; an ``error`` is shown; otherwise the code is exchanged and the token stored for the chat
  user who started the flow.
- ``GET /health``: ``ok``.

Configured through the environment (see README.md). Listens on ``CHATBOT_LISTEN`` (port ``0``
picks a free one) and prints its base URL on stdout once it accepts connections.
"""

import html
import json
import os
import secrets
import sys
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

COOKIE = "chatbot_session"
# A flow not finished within this time is forgotten.
FLOW_TTL_SECS = 600
# At most this many flows in progress per browser; the oldest goes first.
MAX_FLOWS_PER_BROWSER = 16


class Config:
    """What the chatbot is told about itself and the provider."""

    def __init__(self, env):
        def need(name):
            value = env.get(name)
            if not value:
                sys.exit(f"app.py: set {name}")
            return value

        listen = env.get("CHATBOT_LISTEN", "127.0.0.1:0")
        host, _, port = listen.rpartition(":")
        self.host = host or "127.0.0.1"
        self.port = int(port)
        self.base_url = env.get("CHATBOT_BASE_URL")
        self.authorization_endpoint = need("OAUTH_AUTHORIZATION_ENDPOINT")
        self.token_endpoint = need("OAUTH_TOKEN_ENDPOINT")
        self.api_url = need("OAUTH_API_URL")
        self.client_id = need("OAUTH_CLIENT_ID")
        self.client_secret = env.get("OAUTH_CLIENT_SECRET") or None
        self.auth_method = env.get("OAUTH_AUTH_METHOD") or None
        self.redirect_uri = need("OAUTH_REDIRECT_URI")
        self.scope = env.get("OAUTH_SCOPE", "")
        self.timeout = float(env.get("OAUTH_TIMEOUT_SECS", "10"))

    def oauth(self, **kwargs):
        """An Authlib session for one flow or one user's token."""
        return OAuth2Session(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method=self.auth_method,
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint=self.token_endpoint,
            default_timeout=self.timeout,
            **kwargs,
        )


class Store:
    """Browser sessions with their flows in progress, and each chat user's token."""

    def __init__(self):
        self.lock = threading.Lock()
        self.browsers = {}  # cookie value -> {state: flow}
        self.tokens = {}  # chat user -> token dict
        self.user_locks = {}  # chat user -> lock held while using (and refreshing) the token

    def start_flow(self, browser, state, flow):
        with self.lock:
            flows = self.browsers.setdefault(browser, {})
            now = time.monotonic()
            for old in [s for s, f in flows.items() if now - f["started"] > FLOW_TTL_SECS]:
                del flows[old]
            while len(flows) >= MAX_FLOWS_PER_BROWSER:
                del flows[min(flows, key=lambda s: flows[s]["started"])]
            flows[state] = dict(flow, started=now)

    def take_flow(self, browser, state):
        """The browser's flow with this state, removed: a callback is good once."""
        with self.lock:
            flow = self.browsers.get(browser, {}).pop(state, None)
        if flow and time.monotonic() - flow["started"] <= FLOW_TTL_SECS:
            return flow
        return None

    def user_lock(self, user):
        with self.lock:
            return self.user_locks.setdefault(user, threading.Lock())

    def token(self, user):
        with self.lock:
            return self.tokens.get(user)

    def save_token(self, user, token):
        with self.lock:
            self.tokens[user] = dict(token)

    def forget(self, user):
        with self.lock:
            self.tokens.pop(user, None)


def page(title, text):
    """A plain page with no links or sub-resources."""
    body = (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head>"
        f"<body><p>{html.escape(text)}</p></body></html>"
    )
    return body.encode()


class Handler(BaseHTTPRequestHandler):
    config = None
    store = None
    server_version = "authlib-chatbot"

    # --- routing ---------------------------------------------------------------------------

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/health":
            self.reply(200, b"ok", "text/plain")
        elif url.path == "/link":
            self.link(first(query, "session"))
        elif url.path == urlsplit(self.config.redirect_uri).path:
            self.callback(url.query, query)
        else:
            self.reply(404, page("Not found", "Not found"))

    def do_POST(self):
        if urlsplit(self.path).path != "/chat":
            self.reply(404, page("Not found", "Not found"))
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            turn = json.loads(self.rfile.read(min(length, 64 * 1024)) or b"{}")
            user = turn["session"]
            text = turn.get("text", "")
        except (ValueError, KeyError, TypeError):
            self.reply_json(400, {"error": "a chat turn is {\"session\": ID, \"text\": TEXT}"})
            return
        if not isinstance(user, str) or not user:
            self.reply_json(400, {"error": "session must be a non-empty string"})
        elif text == "link":
            self.reply_json(200, {"messages": [{
                "text": "Link your account",
                "url": f"{self.base_url()}/link?{urlencode({'session': user})}",
            }]})
        elif text == "status":
            self.reply_json(200, {"messages": [{"text": self.status(user)}]})
        else:
            self.reply_json(200, {"messages": [{"text": "Say \"link\" or \"status\"."}]})

    # --- the flow --------------------------------------------------------------------------

    def link(self, user):
        if not user:
            self.reply(400, page("Linking failed", "Linking failed: no chat session"))
            return
        browser, new = self.browser()
        oauth = self.config.oauth()
        verifier = generate_token(48)
        url, state = oauth.create_authorization_url(
            self.config.authorization_endpoint, code_verifier=verifier
        )
        self.store.start_flow(browser, state, {"user": user, "verifier": verifier})
        headers = {"Location": url, "Cache-Control": "no-store"}
        if new:
            headers["Set-Cookie"] = f"{COOKIE}={browser}; Path=/; HttpOnly; SameSite=Lax"
        self.reply(302, b"", headers=headers)

    def callback(self, raw_query, query):
        browser, _ = self.browser()
        state = first(query, "state")
        flow = self.store.take_flow(browser, state) if state else None
        if flow is None:
            self.failed("this link is unknown, expired or was opened in another browser")
            return
        error = first(query, "error")
        if error:
            self.failed(f"the provider answered {error}")
            return
        oauth = self.config.oauth()
        try:
            token = oauth.fetch_token(
                self.config.token_endpoint,
                authorization_response=f"{self.config.redirect_uri}?{raw_query}",
                state=state,
                code_verifier=flow["verifier"],
            )
        except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
            self.log_message("token request failed: %s", describe(exc))
            self.failed("the provider did not give a token")
            return
        self.store.save_token(flow["user"], token)
        self.reply(200, page("Account linked", "Account linked. You can return to the chat."))

    def failed(self, why):
        self.reply(400, page("Linking failed", f"Linking failed: {why}."))

    # --- using the token -------------------------------------------------------------------

    def status(self, user):
        with self.store.user_lock(user):
            token = self.store.token(user)
            if token is None:
                return "Your account is not linked."
            oauth = self.config.oauth(
                token=token, update_token=lambda t, **_: self.store.save_token(user, t)
            )
            try:
                response = oauth.get(self.config.api_url)
                if response.status_code == 401 and oauth.token.get("refresh_token"):
                    oauth.refresh_token(self.config.token_endpoint)
                    response = oauth.get(self.config.api_url)
            except AuthlibBaseError as exc:
                self.log_message("the token cannot be used: %s", describe(exc))
                self.store.forget(user)
                return "Your account is not linked: please link it again."
            except requests.RequestException as exc:
                self.log_message("the API call failed: %s", type(exc).__name__)
                return "Your account is linked, but the service is not answering."
            if response.status_code == 401:
                self.store.forget(user)
                return "Your account is not linked: please link it again."
            if response.ok:
                return "Your account is linked."
            return f"Your account is linked, but the service answered {response.status_code}."

    # --- plumbing --------------------------------------------------------------------------

    def browser(self):
        """The browser's session id, and whether it is new."""
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except Exception:  # a malformed Cookie header is no session
            cookie = SimpleCookie()
        if COOKIE in cookie and cookie[COOKIE].value:
            return cookie[COOKIE].value, False
        return secrets.token_urlsafe(32), True

    def base_url(self):
        if self.config.base_url:
            return self.config.base_url
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def reply_json(self, status, value):
        self.reply(status, json.dumps(value).encode(), "application/json")

    def reply(self, status, body, content_type="text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        # The path without its query: a callback's code and state stay out of the log.
        self.log_message('"%s %s" %s', self.command, urlsplit(self.path).path, code)


def describe(exc):
    """An exception in a log line: its OAuth error code when it has one, never a token."""
    return getattr(exc, "error", None) or type(exc).__name__


def first(query, name):
    values = query.get(name)
    return values[0] if values else None


def main():
    config = Config(os.environ)
    Handler.config = config
    Handler.store = Store()
    server = ThreadingHTTPServer((config.host, config.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    print(f"pid {os.getpid()}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
