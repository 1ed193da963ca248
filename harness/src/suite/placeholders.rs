//! `{placeholders}` in profile strings: the names Gauntlet fills in, where each has a value,
//! and the check at load that a string uses no other.

use std::collections::BTreeMap;

/// A placeholder Gauntlet fills in a profile's strings.
#[derive(Debug, Clone, Copy)]
pub struct Placeholder {
    /// Its name, written `{name}`.
    pub name: &'static str,
    /// Where it has a value.
    pub scope: Scope,
}

/// Where a placeholder has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every templated string but `platform.base_url`.
    Run,
    /// The same, when `[platform.reference] bots` names a bot.
    Bots,
    /// The requests Gauntlet sends for a user: `[start]`, `[probe]`, `[after_callback]`,
    /// `[link_confirmation.send]`, `[requests.NAME]`.
    User,
    /// The body of `[requests.channel_token]`.
    HandOver,
    /// `[link_confirmation.send]`.
    Confirmation,
    /// `[tool_call.request]`.
    ToolCall,
    /// Every templated string of a profile that has Gauntlet launch its target.
    Launch,
    /// Every templated string of a profile whose mock provider serves HTTPS
    /// (`[provider] tls = true`).
    Tls,
    /// Every templated string of a profile of the `mcp` shape (the mock is an MCP server).
    Mcp,
}

impl Scope {
    /// Where a placeholder of this scope has a value, for error messages.
    fn explain(self) -> &'static str {
        match self {
            Self::Run => "everywhere but in platform.base_url",
            Self::Bots => {
                "when [platform.reference] bots names one, everywhere but in platform.base_url"
            }
            Self::User => {
                "only in [start], [probe], [after_callback], [link_confirmation.send], \
                 [requests.NAME] and [tool_call.request]"
            }
            Self::HandOver => "only in the body of [requests.channel_token]",
            Self::Confirmation => "only in [link_confirmation.send]",
            Self::ToolCall => "only in [tool_call.request]",
            Self::Launch => {
                "only when Gauntlet launches the target ([platform.launch] or [server.launch])"
            }
            Self::Tls => "only when the mock provider serves HTTPS ([provider] tls = true)",
            Self::Mcp => "only in a profile of the mcp shape (shape = \"mcp\")",
        }
    }
}

/// Every placeholder of platform profiles (the README's list).
pub const PLATFORM: &[Placeholder] = &[
    run("base_url"),
    run("issuer"),
    run("authorization_endpoint"),
    run("token_endpoint"),
    run("userinfo_endpoint"),
    run("revocation_endpoint"),
    run("resource_url"),
    run("client_id"),
    run("client_secret"),
    run("scopes"),
    run("redirect_uri"),
    run("sub"),
    run("registered_issuer"),
    Placeholder {
        name: "bot",
        scope: Scope::Bots,
    },
    Placeholder {
        name: "session",
        scope: Scope::User,
    },
    Placeholder {
        name: "token",
        scope: Scope::HandOver,
    },
    Placeholder {
        name: "code",
        scope: Scope::Confirmation,
    },
    Placeholder {
        name: "tool",
        scope: Scope::ToolCall,
    },
    PORT,
    CA_FILE,
    MCP_URL,
];

/// The URL of the mock's MCP endpoint, in a profile of the `mcp` shape.
pub const MCP_URL: Placeholder = Placeholder {
    name: "mcp_url",
    scope: Scope::Mcp,
};

/// The file holding the CA certificate (PEM) of a mock provider that serves HTTPS, for a
/// platform to trust (`NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`).
pub const CA_FILE: Placeholder = Placeholder {
    name: "ca_file",
    scope: Scope::Tls,
};

/// A free port Gauntlet picks for a launched platform or server: the only placeholder of
/// provider profiles.
pub const PORT: Placeholder = Placeholder {
    name: "port",
    scope: Scope::Launch,
};

const fn run(name: &'static str) -> Placeholder {
    Placeholder {
        name,
        scope: Scope::Run,
    }
}

/// What a templated string of a platform profile is, which decides the names it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `platform.base_url`.
    BaseUrl,
    /// `[platform.launch]` and `client.redirect_uris`, filled once per run.
    Setup,
    /// A request sent for a user.
    Request,
    /// The body of `[requests.channel_token]`.
    HandOver,
    /// `[link_confirmation.send]`, which sends back the code the callback page showed.
    Confirmation,
    /// `[tool_call.request]`, which names the tool to call.
    ToolCall,
}

/// What the profile offers beyond the names every string may use.
#[derive(Debug, Clone, Copy)]
pub struct Offers {
    /// Gauntlet launches the target, so `{port}` has a value.
    pub launch: bool,
    /// `[platform.reference] bots` names a bot, so `{bot}` has a value.
    pub bots: bool,
    /// The mock provider serves HTTPS, so `{ca_file}` has a value.
    pub tls: bool,
    /// The profile's shape is `mcp`, so `{mcp_url}` has a value.
    pub mcp: bool,
}

impl Slot {
    /// Whether `placeholder` has a value in this slot of a profile offering `offers`.
    fn admits(self, placeholder: &Placeholder, offers: Offers) -> bool {
        match placeholder.scope {
            Scope::Launch => offers.launch,
            Scope::Tls => offers.tls && self != Self::BaseUrl,
            Scope::Mcp => offers.mcp && self != Self::BaseUrl,
            Scope::Run => self != Self::BaseUrl,
            Scope::Bots => offers.bots && self != Self::BaseUrl,
            Scope::User => matches!(
                self,
                Self::Request | Self::HandOver | Self::Confirmation | Self::ToolCall
            ),
            Scope::HandOver => self == Self::HandOver,
            Scope::Confirmation => self == Self::Confirmation,
            Scope::ToolCall => self == Self::ToolCall,
        }
    }
}

/// Checks the platform-profile string `text` at `key`: every placeholder it uses has a value
/// there. The error names the key, the placeholder and the names known there.
pub fn check_platform(key: &str, text: &str, slot: Slot, offers: Offers) -> Result<(), String> {
    let known: Vec<&str> = PLATFORM
        .iter()
        .filter(|p| slot.admits(p, offers))
        .map(|p| p.name)
        .collect();
    check(key, text, &known, PLATFORM)
}

/// Checks `text` at `key` against the names in `known`; a name of `scoped` that is not known
/// there is explained by its scope.
pub fn check(key: &str, text: &str, known: &[&str], scoped: &[Placeholder]) -> Result<(), String> {
    let Some(name) = names(text).find(|name| !known.contains(name)) else {
        return Ok(());
    };
    Err(match scoped.iter().find(|p| p.name == name) {
        Some(p) => format!(
            "{key} uses {{{name}}}, which has a value {}; known there: {}",
            p.scope.explain(),
            list(known)
        ),
        None => format!(
            "{key} uses the unknown placeholder {{{name}}}; known there: {}",
            list(known)
        ),
    })
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `{name}`s in `text`: a name starts with a letter or `_` and goes on with letters,
/// digits, `_`, `-` or `.`, so JSON bodies (`{"a":1}`) and regex counts (`{2}`) are not
/// placeholders.
pub fn names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('{').filter_map(|(start, _)| {
        let rest = &text[start + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let mut chars = name.chars();
        let first = chars.next()?;
        ((first.is_ascii_alphabetic() || first == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .then_some(name)
    })
}

/// Values for `{placeholders}`.
#[derive(Debug, Clone, Default)]
pub struct Vars(BTreeMap<&'static str, String>);

impl Vars {
    /// Sets a value.
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.insert(name, value.into());
    }

    /// The value of `{name}`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A copy with `{session}` set.
    pub fn with_session(&self, session: &str) -> Self {
        let mut vars = self.clone();
        vars.set("session", session);
        vars
    }

    /// Fills every known `{name}` in `template`; unknown names are left as they are.
    pub fn fill(&self, template: &str) -> String {
        let mut out = template.to_owned();
        for (name, value) in &self.0 {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_and_json_and_regex_braces_are_not() {
        let found: Vec<_> =
            names(r#"{"session":"{session}","n":{2},"x":"{base-url}{a.b}"} {open"#).collect();
        assert_eq!(found, ["session", "base-url", "a.b"]);
    }

    #[test]
    fn a_name_out_of_its_scope_says_where_it_has_a_value() {
        let offers = Offers {
            launch: false,
            bots: false,
            tls: false,
            mcp: false,
        };
        let error =
            check_platform("platform.launch.env.X", "{session}", Slot::Setup, offers).unwrap_err();
        assert!(error.contains("[start]"), "{error}");
        let error = check_platform("start.url", "{port}", Slot::Request, offers).unwrap_err();
        assert!(error.contains("[platform.launch]"), "{error}");
        let error =
            check_platform("platform.launch.env.CA", "{ca_file}", Slot::Setup, offers).unwrap_err();
        assert!(error.contains("[provider] tls = true"), "{error}");
        let error =
            check_platform("platform.base_url", "{issuer}", Slot::BaseUrl, offers).unwrap_err();
        assert!(error.ends_with("known there: none"), "{error}");
        let offers = Offers {
            launch: true,
            bots: true,
            tls: true,
            mcp: false,
        };
        check_platform("platform.launch.env.CA", "{ca_file}", Slot::Setup, offers).unwrap();
        check_platform(
            "platform.base_url",
            "http://h:{port}",
            Slot::BaseUrl,
            offers,
        )
        .unwrap();
        check_platform(
            "start.url",
            "{base_url}/{bot}?s={session}",
            Slot::Request,
            offers,
        )
        .unwrap();
        check_platform(
            "requests.channel_token.body",
            "{token}",
            Slot::HandOver,
            offers,
        )
        .unwrap();
        check_platform(
            "link_confirmation.send.body",
            "{session} {code}",
            Slot::Confirmation,
            offers,
        )
        .unwrap();
        let error = check_platform("probe.body", "{code}", Slot::Request, offers).unwrap_err();
        assert!(error.contains("[link_confirmation.send]"), "{error}");
    }
}
