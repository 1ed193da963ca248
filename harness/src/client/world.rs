//! The world of one scenario: its users (each with a browser and a chat session), the flows
//! they started, what the provider should do to those flows, how flows passed between users in
//! an attack, and the evidence.

use std::collections::BTreeMap;
use std::sync::Arc;

use mock_provider::{Decision, Endpoint, Fault, FaultKind, FaultTarget, JournalEntry};
use oauth_vocab::Secret;
use url::Url;

use super::context::{self, RunContext};
use super::handoff::Handoff;
use super::start::{self, StartError};
use crate::report::Exchange;
use crate::suite::browser::short;
use crate::suite::browser::{Browser, Evidence, Reply};

/// A user of the platform.
#[derive(Debug, Clone)]
pub struct User {
    /// Their browser (own cookie jar).
    pub browser: Browser,
    /// Their chat session id.
    pub session: String,
}

/// One authorization flow, in the hands of one user.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Whose browser carries it: who started it, or who was handed it in an attack.
    pub user: String,
    /// The authorization URL the platform sent the browser to.
    pub authorize_url: Url,
    /// The callback URL the provider answered with, once the browser went there.
    pub callback_url: Option<String>,
    /// The platform's answer to the callback.
    pub callback: Option<Reply>,
    /// The answer of the step that finishes linking after the callback (the profile's link
    /// confirmation or `after_callback`), when there is one: what the user sees.
    pub after: Option<Reply>,
}

impl Flow {
    /// A flow in `user`'s hands going to `authorize_url`, not at the provider yet.
    pub fn new(user: &str, authorize_url: Url) -> Self {
        Self {
            user: user.to_owned(),
            authorize_url,
            callback_url: None,
            callback: None,
            after: None,
        }
    }

    /// What the user was told: the after-callback step's answer, else the callback page.
    pub fn outcome(&self) -> Option<&Reply> {
        self.after.as_ref().or(self.callback.as_ref())
    }
}

impl Flow {
    /// A decoded parameter of the authorization request.
    pub fn param(&self, name: &str) -> Option<String> {
        self.authorize_url
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The `state` the platform sent.
    pub fn state(&self) -> Option<String> {
        self.param("state")
    }
}

/// Something the provider is to do to the next flow.
#[derive(Debug, Clone)]
pub enum Arrangement {
    /// A fault, scoped to the flow's state when it has one.
    Fault(FaultTarget, FaultKind),
    /// A decision at the authorization endpoint.
    Decision(Decision),
}

/// The scenario's world.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct GauntletWorld {
    /// The run's shared context.
    pub ctx: Arc<RunContext>,
    /// HTTP exchanges seen by the browsers (platform↔provider ones come from the journal).
    pub evidence: Evidence,
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Flows in the order they started.
    pub flows: Vec<Flow>,
    /// The platform handed out a login link that is the authorization URL itself: no browser
    /// met the platform before the provider, so the state cannot be bound to a browser.
    pub straight_to_provider: bool,
    /// What the provider does to the next flow.
    pub arrangements: Vec<Arrangement>,
    /// The last answer of a probe.
    pub last_probe: Option<Result<Reply, String>>,
    /// The platform's last answer to a start or a profile request (a chat turn, a step).
    pub last_answer: Option<Reply>,
    /// An access token handed to the platform directly (Converse's channel variant).
    pub handed_token: Option<Secret>,
    /// Login links a user's chat was given and did not open, by user.
    pub login_links: BTreeMap<String, String>,
    /// How flows passed from one user's hands to another's, in order.
    pub handoffs: Vec<Handoff>,
    /// The journal position before the scenario's first service-account turn (or the last
    /// revocation of the service token): the platform's requests after it belong to the
    /// scenario, which runs `@serial` since the service token is the whole platform's.
    pub service_mark: Option<u64>,
    /// The run's own context while [`ctx`](Self::ctx) is one this scenario started
    /// ([`run_on`](Self::run_on)): where the scenario's evidence goes.
    pub run_ctx: Option<Arc<RunContext>>,
    /// The platform this scenario started afresh refused to start (an `@restart` scenario).
    pub(crate) refused_start: Option<super::restart::Refusal>,
    /// Why a step could not judge its rule, when Gauntlet, not the platform, is the cause
    /// ([`Recorded::not_judged`](crate::suite::Recorded::not_judged)).
    pub(crate) not_judged: Option<String>,
    /// The platform's answers to the tool calls of the scenario (`[tool_call]`), in order.
    pub tool_answers: Vec<Reply>,
}

impl std::fmt::Debug for GauntletWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print sessions, codes or tokens: `-vv` prints the world.
        f.debug_struct("GauntletWorld")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .field("flows", &self.flows.len())
            .field("arrangements", &self.arrangements.len())
            .finish_non_exhaustive()
    }
}

impl crate::suite::Recorded for GauntletWorld {
    fn exchanges(&self) -> Vec<Exchange> {
        GauntletWorld::exchanges(self)
    }

    fn root_cause(&self) -> Option<crate::report::RootCause> {
        crate::client::root_cause::earliest(&self.journal())
    }

    fn not_judged(&self) -> Option<String> {
        self.not_judged.clone()
    }

    fn outcomes(&self) -> &crate::suite::Outcomes {
        &self.run_ctx.as_ref().unwrap_or(&self.ctx).outcomes
    }
}

/// A step's failure, with the explanation shown in reports.
pub type StepResult = Result<(), String>;

impl GauntletWorld {
    fn new() -> Self {
        Self::with_context(context::current())
    }

    /// A world outside any scenario, for the run's own checks (the preflight).
    pub(crate) fn with_context(ctx: Arc<RunContext>) -> Self {
        let evidence = Evidence::new(ctx.reveal_secrets);
        Self {
            ctx,
            evidence,
            users: BTreeMap::new(),
            flows: Vec::new(),
            straight_to_provider: false,
            arrangements: Vec::new(),
            last_probe: None,
            last_answer: None,
            handed_token: None,
            login_links: BTreeMap::new(),
            handoffs: Vec::new(),
            service_mark: None,
            run_ctx: None,
            refused_start: None,
            not_judged: None,
            tool_answers: Vec::new(),
        }
    }

    /// Runs the rest of the scenario against `ctx`, a platform and mock of its own (dropped
    /// with the world, at the scenario's end); the run's context keeps the evidence.
    pub(crate) fn run_on(&mut self, ctx: RunContext) {
        let run = std::mem::replace(&mut self.ctx, Arc::new(ctx));
        self.run_ctx.get_or_insert(run);
        self.users.clear();
    }

    /// The user with this name, created on first use with a fresh browser and session.
    pub fn user(&mut self, name: &str) -> User {
        let ctx = &self.ctx;
        let evidence = self.evidence.clone();
        self.users
            .entry(name.to_owned())
            .or_insert_with(|| User {
                browser: Browser::new(
                    evidence,
                    &ctx.platform_base,
                    ctx.request_timeout(),
                    &ctx.trust,
                )
                .max_body_bytes(ctx.max_body_bytes)
                .of(name),
                session: format!(
                    "{name}-{}",
                    crate::suite::random::token("")[..12].to_owned()
                ),
            })
            .clone()
    }

    /// The last flow, or the last one of a user.
    pub fn last_flow(&self, user: Option<&str>) -> Result<&Flow, String> {
        self.flows
            .iter()
            .rev()
            .find(|f| user.is_none_or(|u| f.user == u))
            .ok_or_else(|| "no authorization flow was started".to_owned())
    }

    fn last_flow_mut(&mut self, user: &str) -> Result<&mut Flow, String> {
        self.flows
            .iter_mut()
            .rev()
            .find(|f| f.user == user)
            .ok_or_else(|| format!("{user} started no flow"))
    }

    /// Starts a flow as the platform's profile says, with the provider's arrangements for it
    /// mounted, as the user's last flow. The browser has not visited the provider yet.
    pub async fn start_flow(&mut self, name: &str) -> StepResult {
        let flow = self.open_flow(name).await?;
        self.apply_arrangements(&flow)?;
        self.flows.push(flow);
        Ok(())
    }

    /// Asks the platform for a login link in `name`'s chat, and keeps it unopened.
    pub async fn ask_login_link(&mut self, name: &str) -> StepResult {
        let Some(button) = self.ctx.profile.start.button.clone() else {
            return Err(
                "the platform's start answer carries no login link ([start] has no button)".into(),
            );
        };
        let user = self.user(name);
        let answer = start::send_start(&self.ctx, &user).await?;
        self.last_answer = Some(answer.clone());
        let link = start::login_link(&button, &answer)?;
        self.login_links.insert(name.to_owned(), link.to_string());
        Ok(())
    }

    /// `name`'s browser opens the login link `owner`'s chat was given and follows it to the
    /// authorization URL: the flow is in `name`'s hands.
    pub async fn open_login_link_of(&mut self, name: &str, owner: &str) -> StepResult {
        let link = self
            .login_links
            .get(owner)
            .cloned()
            .ok_or_else(|| format!("{owner}'s chat was given no login link"))?;
        let user = self.user(name);
        let link = Url::parse(&link).map_err(|e| format!("the login link {link:?}: {e}"))?;
        self.straight_to_provider |= start::is_authorization_url(&self.ctx, &link);
        let authorize = start::open_link(&self.ctx, &user, link).await?;
        self.handoffs.push(Handoff::LoginLink {
            from: owner.to_owned(),
            to: name.to_owned(),
        });
        let flow = Flow::new(name, authorize);
        self.apply_arrangements(&flow)?;
        self.flows.push(flow);
        Ok(())
    }

    /// `name` is given the authorization URL `owner`'s browser was sent to: the flow is in
    /// `name`'s hands, and `name`'s browser goes on with it.
    pub fn take_authorization_link_of(&mut self, name: &str, owner: &str) -> StepResult {
        let authorize_url = self.last_flow(Some(owner))?.authorize_url.clone();
        self.user(name);
        self.handoffs.push(Handoff::AuthorizationLink {
            from: owner.to_owned(),
            to: name.to_owned(),
        });
        self.flows.push(Flow::new(name, authorize_url));
        Ok(())
    }

    /// `name`'s browser delivers `callback`, the callback of `owner`'s flow; the answer is kept
    /// (and the profile's later steps follow) as for `name`'s own flow.
    pub async fn deliver_callback_of(
        &mut self,
        name: &str,
        owner: &str,
        callback: String,
    ) -> StepResult {
        let mut flow = Flow::new(name, self.last_flow(Some(owner))?.authorize_url.clone());
        flow.callback_url = Some(callback.clone());
        self.flows.push(flow);
        self.handoffs.push(Handoff::Callback {
            from: owner.to_owned(),
            to: name.to_owned(),
        });
        let reply = self.deliver(name, &callback).await?;
        self.keep_callback(name, reply).await
    }

    /// Sends the profile's start request as `name` and follows the way to the provider's
    /// authorization endpoint: the new flow, not kept yet. The start request's answer is the
    /// last answer.
    pub async fn open_flow(&mut self, name: &str) -> Result<Flow, StartError> {
        let user = self.user(name);
        let (authorize_url, answer) = start::authorization_url(&self.ctx, &user).await?;
        if let Some(button) = &self.ctx.profile.start.button {
            self.straight_to_provider |= start::login_link(button, &answer)
                .is_ok_and(|link| start::is_authorization_url(&self.ctx, &link));
        }
        self.last_answer = Some(answer);
        Ok(Flow::new(name, authorize_url))
    }

    /// Mounts the pending arrangements for this flow (scoped to its state when it has one).
    fn apply_arrangements(&mut self, flow: &Flow) -> StepResult {
        let state = flow.state();
        let client_id = self.ctx.client.client_id.clone();
        for arrangement in self.arrangements.drain(..) {
            match arrangement {
                Arrangement::Fault(target, kind) => {
                    let mut fault = Fault::new(target, kind)
                        .for_client(client_id.clone())
                        .once();
                    if let Some(state) = &state {
                        fault = fault.for_state(state.clone());
                    }
                    fault.mount(&self.ctx.provider);
                }
                Arrangement::Decision(decision) => {
                    let result = match &state {
                        Some(state) => decision
                            .for_client(&client_id)
                            .for_state(state)
                            .mount(&self.ctx.provider),
                        None => decision.for_client(&client_id).mount(&self.ctx.provider),
                    };
                    result
                        .map_err(|e| format!("the provider refused the scripted decision: {e}"))?;
                }
            }
        }
        Ok(())
    }

    /// The browser goes to the authorization URL; the provider answers with a redirect to the
    /// platform's callback, which is kept (not followed yet).
    pub async fn authorize(&mut self, name: &str) -> StepResult {
        let user = self.user(name);
        let url = self.last_flow(Some(name))?.authorize_url.to_string();
        let reply = user.browser.send("GET", &url, None).await?;
        let location = match reply.location {
            Some(location) if (300..400).contains(&reply.status) => location,
            _ => {
                return Err(format!(
                    "the provider refused the authorization request ({}): {}",
                    reply.status,
                    short(&reply.body)
                ));
            }
        };
        self.last_flow_mut(name)?.callback_url = Some(location);
        Ok(())
    }

    /// The browser of `name` delivers `callback` to the platform.
    pub async fn deliver(&mut self, name: &str, callback: &str) -> Result<Reply, String> {
        let user = self.user(name);
        user.browser.get_on_platform(callback).await
    }

    /// Sends one of the profile's templated requests as `name` (with `{session}` filled).
    pub async fn send_request(
        &mut self,
        name: &str,
        request: &super::profile::Request,
    ) -> Result<Reply, String> {
        let user = self.user(name);
        let (url, body) = self.filled(&user, request);
        user.browser.send(&request.method, &url, body).await
    }

    /// `request`'s URL and body (with its content type) for `user`, placeholders filled.
    fn filled<'r>(
        &self,
        user: &User,
        request: &'r super::profile::Request,
    ) -> (String, Option<(&'r str, String)>) {
        let vars = self.ctx.vars.with_session(&user.session);
        let body = request.body.as_ref().map(|b| {
            (
                request.content_type.as_deref().unwrap_or("text/plain"),
                vars.fill(b),
            )
        });
        (vars.fill(&request.url), body)
    }

    /// Records the platform's answer to the callback on the user's last flow. Unless the
    /// callback page refused or sent the browser elsewhere, the steps that finish linking
    /// follow, and the last one's answer is kept too: the link confirmation, then the profile's
    /// `after_callback` step (Converse's Get Access Token).
    pub async fn keep_callback(&mut self, name: &str, reply: Reply) -> StepResult {
        let refused = (300..400).contains(&reply.status)
            || reply
                .body
                .contains(&self.ctx.profile.outcome().failure_text);
        let flow = self.last_flow_mut(name)?;
        flow.callback = Some(reply.clone());
        flow.after = None;
        if refused {
            return Ok(());
        }
        if let Some(answer) = self.confirm_link(name, &reply).await? {
            self.last_flow_mut(name)?.after = Some(answer);
        }
        if let Some(step) = self.ctx.profile.after_callback.clone() {
            let after = self.send_request(name, &step).await?;
            self.last_flow_mut(name)?.after = Some(after);
        }
        Ok(())
    }

    /// When the profile describes a link confirmation and the callback `page` shows its code,
    /// `name` sends the code back in their own chat; the chat's answer. `None`: nothing to
    /// confirm.
    pub async fn confirm_link(
        &mut self,
        name: &str,
        page: &Reply,
    ) -> Result<Option<Reply>, String> {
        let Some(confirmation) = self.ctx.profile.link_confirmation.clone() else {
            return Ok(None);
        };
        let Some(code) = confirmation.code_in(&page.body) else {
            return Ok(None);
        };
        self.evidence.conceal(&code);
        let mut send = confirmation.send;
        send.url = send.url.replace("{code}", &code);
        send.body = send.body.map(|b| b.replace("{code}", &code));
        self.send_request(name, &send).await.map(Some)
    }

    /// Asks the platform whether the user is linked.
    pub async fn probe(&mut self, name: &str) -> Result<Reply, String> {
        let request = self.probe_request();
        self.send_request(name, &request).await
    }

    /// Sends the profile's probe `times` times at once, as concurrent requests of `name`'s
    /// browser; the answers in the order sent.
    pub async fn probe_at_once(&mut self, name: &str, times: usize) -> Vec<Result<Reply, String>> {
        let request = self.probe_request();
        let user = self.user(name);
        let (url, body) = self.filled(&user, &request);
        let sends = (0..times).map(|_| user.browser.send(&request.method, &url, body.clone()));
        futures::future::join_all(sends).await
    }

    fn probe_request(&self) -> super::profile::Request {
        let probe = &self.ctx.profile.probe;
        super::profile::Request {
            method: probe.method.clone(),
            url: probe.url.clone(),
            body: probe.body.clone(),
            content_type: probe.content_type.clone(),
        }
    }

    /// The journal entries of the flows of this scenario ([`slice`](super::slice)): their
    /// authorization requests, the token requests the provider tied to their codes (refused
    /// ones too), and every request using the tokens issued from those (transitively).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.slice().entries
    }

    /// The scenario's journal slice, with the token requests left out as ambiguous.
    pub fn slice(&self) -> super::slice::Slice {
        let all = self.ctx.provider.journal_for(&self.ctx.client.client_id);
        super::slice::of(&self.flows, all, self.service_mark)
    }

    /// What the provider saw wrong in the scenario's token requests, for a failure's
    /// explanation: `; the token request was refused: …` naming the provider's finding, and
    /// the token requests left out as ambiguous. Empty when there is nothing to add.
    pub fn token_notes(&self) -> String {
        let slice = self.slice();
        let mut notes = String::new();
        let refusal = slice
            .entries
            .iter()
            .filter(|e| e.endpoint == Endpoint::Token)
            .find_map(|e| e.findings.iter().find_map(super::root_cause::blaming));
        if let Some(finding) = refusal {
            notes.push_str(&format!("; the token request was refused: {finding}"));
        }
        if let [first, ..] = slice.ambiguous.as_slice() {
            notes.push_str(&format!(
                "; {} token request(s) (the first #{}) carried no code of this scenario's flows \
                 and a code_verifier that flows of other scenarios share too: they are left out \
                 rather than merged (the platform reuses its verifier)",
                slice.ambiguous.len(),
                first.seq
            ));
        }
        notes
    }

    /// Token endpoint requests in this scenario's journal slice.
    pub fn token_requests(&self) -> Vec<JournalEntry> {
        self.journal()
            .into_iter()
            .filter(|e| e.endpoint == Endpoint::Token)
            .collect()
    }

    /// The evidence: browser exchanges plus the platform's requests to the provider.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let journal = self.journal();
        // The secrets of this scenario's slice of the journal (its codes, tokens, verifiers)
        // and the client secret: masked wherever they appear, a page the platform printed a
        // token into included.
        let mut known = oauth_vocab::redact::SecretValues::new();
        if !self.ctx.reveal_secrets {
            journal.iter().for_each(|e| e.collect_secrets(&mut known));
            if let Some(secret) = self.ctx.profile.client.secret_value() {
                known.add(&secret);
            }
        }
        let redactor = known.redactor();
        let mut exchanges = self.evidence.exchanges_concealing(&known);
        // The journal counts from the mock's start, the evidence from the scenario's; a mock
        // this scenario started ([`run_on`](Self::run_on)) started after it.
        let micros = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(0);
        let (scenario, mock) = (self.evidence.started(), self.ctx.provider.started_at());
        let (behind, ahead) = (
            micros(scenario.saturating_duration_since(mock)),
            micros(mock.saturating_duration_since(scenario)),
        );
        let browser_endpoints = [Endpoint::Authorize, Endpoint::Login, Endpoint::Consent];
        for entry in journal {
            if browser_endpoints.contains(&entry.endpoint) {
                continue;
            }
            let entry = if self.ctx.reveal_secrets {
                entry
            } else {
                entry.redacted_with(&redactor)
            };
            let at_us = (entry.elapsed_us + ahead).saturating_sub(behind);
            exchanges.push(super::back_channel::exchange(
                &entry,
                &self.ctx.provider,
                at_us,
            ));
        }
        exchanges.sort_by_key(|e| e.at_us);
        exchanges
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn explanations_show_the_visible_text_of_a_page() {
        let page = "<!DOCTYPE html><html><head><title>T</title></head>\n<body><p>Linking failed: <b>state</b></p></body></html>";
        assert_eq!(short(page), "Linking failed: state");
        assert_eq!(short(&"x".repeat(300)).chars().count(), 201);
    }
}
