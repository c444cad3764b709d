//! Per-server settings and members' own preferences, resolved for one request. The order, first
//! set wins: the command's own option › the member's preference › the server's setting › the
//! config file (or its defaults). Each resolved value says where it came from, so `/settings show`
//! and `cabildo settings show --guild ID` can explain it. Validation of what an admin types lives
//! here too; storage is [`crate::store`].

use crate::config::Settings;
use crate::i18n::Msg;
use crate::store::{GuildSettings, MemberSettings};

/// Results per answer a server or member may choose.
pub const TOP_RANGE: std::ops::RangeInclusive<u32> = 1..=10;
/// Rate limit a server may choose: requests at once.
pub const BURST_RANGE: std::ops::RangeInclusive<u32> = 1..=100;
/// Rate limit a server may choose: seconds until a request comes back (0: off).
pub const REFILL_RANGE: std::ops::RangeInclusive<u32> = 0..=3600;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Command,
    Member,
    Server,
    Config,
}

impl Source {
    /// Where the value came from, in words.
    pub fn label(self) -> Msg {
        Msg::new(match self {
            Source::Command => "source-command",
            Source::Member => "source-member",
            Source::Server => "source-server",
            Source::Config => "source-config",
        })
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub value: T,
    pub source: Source,
}

/// The first of `layers` that is set, else `default` from the config file.
fn pick<T: Clone>(layers: [(Option<T>, Source); 3], default: T) -> Resolved<T> {
    layers
        .into_iter()
        .find_map(|(v, source)| v.map(|value| Resolved { value, source }))
        .unwrap_or(Resolved {
            value: default,
            source: Source::Config,
        })
}

/// What a command asked for explicitly (its own options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    pub document: Option<String>,
    pub private: Option<bool>,
    pub top: Option<u32>,
}

/// The settings that apply to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// `None`: every document.
    pub document: Resolved<Option<String>>,
    pub private: Resolved<bool>,
    pub top: Resolved<u32>,
    pub rate_burst: Resolved<u32>,
    pub rate_refill_seconds: Resolved<u32>,
    /// The language of the bot's words (`en`, `es`); `None`: each member's own (Discord's
    /// locale). Only the server sets it.
    pub language: Resolved<Option<String>>,
}

/// The config file's values (or the built-in defaults), the last layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub top: u32,
    pub rate_burst: u32,
    pub rate_refill_seconds: u32,
}

impl Defaults {
    pub fn of(config: &Settings) -> Defaults {
        Defaults {
            top: u32::try_from(config.search.top).unwrap_or(3),
            rate_burst: config.discord.rate_burst,
            rate_refill_seconds: u32::try_from(config.discord.rate_refill_seconds)
                .unwrap_or(u32::MAX),
        }
    }
}

/// Resolves the settings of one request.
pub fn resolve(
    asked: &Asked,
    member: &MemberSettings,
    server: &GuildSettings,
    config: &Defaults,
) -> Effective {
    let some = |d: &Option<String>| d.clone().map(Some);
    Effective {
        document: pick(
            [
                (some(&asked.document), Source::Command),
                (some(&member.document), Source::Member),
                (some(&server.document), Source::Server),
            ],
            None,
        ),
        private: pick(
            [
                (asked.private, Source::Command),
                (member.private, Source::Member),
                (server.private, Source::Server),
            ],
            false,
        ),
        top: pick(
            [
                (asked.top, Source::Command),
                (member.top, Source::Member),
                (server.top, Source::Server),
            ],
            config.top,
        ),
        // The rate limit is the server's: members do not choose their own.
        rate_burst: pick(
            [
                (None, Source::Command),
                (None, Source::Member),
                (server.rate_burst, Source::Server),
            ],
            config.rate_burst,
        ),
        rate_refill_seconds: pick(
            [
                (None, Source::Command),
                (None, Source::Member),
                (server.rate_refill_seconds, Source::Server),
            ],
            config.rate_refill_seconds,
        ),
        language: pick(
            [
                (None, Source::Command),
                (None, Source::Member),
                (server.language.clone().map(Some), Source::Server),
            ],
            None,
        ),
    }
}

impl Effective {
    /// One line per setting with its value and where it came from, for `/settings show` and the
    /// CLI.
    pub fn lines(&self) -> Vec<Msg> {
        let refill = match self.rate_refill_seconds.value {
            0 => Msg::new("settings-rate-off"),
            s => Msg::new("settings-rate")
                .arg("burst", self.rate_burst.value)
                .arg("seconds", s),
        };
        let document = match &self.document.value {
            Some(d) => Msg::verbatim(d.clone()),
            None => Msg::new("settings-all-documents"),
        };
        let language = match &self.language.value {
            Some(code) => Msg::verbatim(code.clone()),
            None => Msg::new("settings-language-auto"),
        };
        let line = |id: &'static str, value: Msg, source: Source| {
            Msg::new(id)
                .arg("value", value)
                .arg("source", source.label())
        };
        vec![
            line("settings-document", document, self.document.source),
            line(
                "settings-private",
                Msg::new(if self.private.value { "yes" } else { "no" }),
                self.private.source,
            ),
            line(
                "settings-results",
                Msg::verbatim(self.top.value.to_string()),
                self.top.source,
            ),
            line(
                "settings-rate-limit",
                refill,
                self.rate_refill_seconds.source,
            ),
            line("settings-language", language, self.language.source),
        ]
    }
}

/// Checks a number an admin or member typed against its range; the error says what is allowed.
pub fn check_range(
    what: Msg,
    value: i64,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, Msg> {
    u32::try_from(value)
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            Msg::new("out-of-range")
                .arg("what", what)
                .arg("low", *range.start())
                .arg("high", *range.end())
                .arg("value", value)
        })
}
