//! The bot's own words in each language it speaks: Fluent bundles (`src/i18n/en.ftl`,
//! `src/i18n/es.ftl`, built into the binary) and the choice of language.
//!
//! Replies carry what to say as a [`Msg`] (a message id and its arguments) and a [`Lang`]; the
//! renderers turn them into words with [`Msg::text`] or [`tr`]. A message missing in a language
//! falls back to English, then to its id: nothing here panics. The texts' own words (quotes,
//! titles) never pass through here.
//!
//! Which language: Discord's `locale` of the interaction (`es-ES`, `es-419` → Spanish; anything
//! else → English), the guild's locale for what is posted without an interaction (reading
//! plans), a server's own setting over both; the command line follows `--lang`, else `LC_ALL`,
//! `LC_MESSAGES`, `LANG`. A leaf module: it imports nothing of the crate.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// English messages (the default, and the fallback of every other language).
pub const EN_FTL: &str = include_str!("i18n/en.ftl");
/// Spanish messages.
pub const ES_FTL: &str = include_str!("i18n/es.ftl");

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

/// Discord locales that get each language's command descriptions.
pub const SPANISH_LOCALES: [&str; 2] = ["es-ES", "es-419"];

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The language's code (`en`, `es`): what `/settings set language:` and `--lang` take.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language of a tag, when the bot speaks it: a BCP 47 tag (`es-ES`, `es-419`, `en`) or a
    /// POSIX locale (`es_ES.UTF-8`, `es_MX@euro`). `None` for anything else (`fr`, `C`, ``).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        let tag = tag.split(['.', '@']).next().unwrap_or_default();
        let primary = tag
            .replace('_', "-")
            .parse::<LanguageIdentifier>()
            .ok()
            .map(|id| id.language.as_str().to_ascii_lowercase())?;
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The language for a Discord locale (`es-ES`, `es-419` → Spanish; unknown → English).
    pub fn from_discord(locale: &str) -> Lang {
        Lang::from_tag(locale).unwrap_or_default()
    }

    /// The command line's language from the environment: the first of `LC_ALL`, `LC_MESSAGES`,
    /// `LANG` that is set and not empty decides (POSIX order); a language the bot does not speak
    /// (or `C`) is English.
    pub fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(var)
            .find(|v| !v.trim().is_empty())
            .and_then(|v| Lang::from_tag(&v))
            .unwrap_or_default()
    }

    /// [`Lang::from_env_with`] on this process's environment.
    pub fn from_env() -> Lang {
        Lang::from_env_with(|v| std::env::var(v).ok())
    }

    fn langid(self) -> LanguageIdentifier {
        self.code().parse().unwrap_or_default()
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => EN_FTL,
            Lang::Es => ES_FTL,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is not one the bot speaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a language cabildo speaks: use en or es")]
pub struct UnknownLang(pub String);

impl std::str::FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        Lang::from_tag(s).ok_or_else(|| UnknownLang(s.to_string()))
    }
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Words given as they are (a title, a reference, a file name).
    Str(String),
    /// A number (plurals choose by it).
    Num(i64),
    /// Another message, in the same language.
    Msg(Box<Msg>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}
macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
num_arg!(i64, i32, u32, u64, usize, u16, u8);

/// Something to say, in no language yet: a message id and its arguments, or several put
/// together, or words that are never translated (a quote, a title, what a member typed).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A message of the bundles.
    One {
        id: Cow<'static, str>,
        args: Vec<(&'static str, Arg)>,
    },
    /// Words as they are.
    Text(String),
    /// Several, one after the other.
    Join(Vec<Msg>),
}

impl Msg {
    /// The message `id`, without arguments yet.
    pub const fn new(id: &'static str) -> Msg {
        Msg::One {
            id: Cow::Borrowed(id),
            args: Vec::new(),
        }
    }

    /// Words that are never translated.
    pub fn verbatim(text: impl Into<String>) -> Msg {
        Msg::Text(text.into())
    }

    /// `parts` one to a line.
    pub fn lines(parts: impl IntoIterator<Item = Msg>) -> Msg {
        let mut out = Vec::new();
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(Msg::Text("\n".into()));
            }
            out.push(p);
        }
        Msg::Join(out)
    }

    /// The same message with one more argument (nothing for words as they are).
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        if let Msg::One { args, .. } = &mut self {
            args.push((name, value.into()));
        }
        self
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Msg::One { id, args: given } => {
                let mut args = FluentArgs::new();
                for (name, value) in given {
                    let value = match value {
                        Arg::Str(s) => FluentValue::from(s.clone()),
                        Arg::Num(n) => FluentValue::from(*n),
                        Arg::Msg(m) => FluentValue::from(m.text(lang)),
                    };
                    args.set(*name, value);
                }
                format(lang, id, Some(&args))
            }
            Msg::Text(t) => t.clone(),
            Msg::Join(parts) => parts.iter().map(|p| p.text(lang)).collect(),
        }
    }
}

/// In English (logs, tests, and wherever no language is known).
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// The message `id` (without arguments) in `lang`.
pub fn tr(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

struct Bundles {
    en: FluentBundle<FluentResource>,
    es: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles {
    en: bundle(Lang::En),
    es: bundle(Lang::Es),
});

/// A language's bundle; a syntax error in its file is logged and the rest of the file used.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
    // No Unicode isolation marks around arguments: Discord and terminals show them as they are.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(lang.source().to_string()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::error!(lang = %lang, ?errors, "messages file has syntax errors");
            r
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(lang = %lang, ?errors, "messages file has duplicate messages");
    }
    bundle
}

fn bundle_of(lang: Lang) -> &'static FluentBundle<FluentResource> {
    match lang {
        Lang::En => &BUNDLES.en,
        Lang::Es => &BUNDLES.es,
    }
}

/// `id` in `lang`, else in English, else the id itself.
fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let found = [lang, Lang::En].into_iter().find_map(|l| {
        let bundle = bundle_of(l);
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(lang = %l, id, ?errors, "a message did not format cleanly");
        }
        Some(text.into_owned())
    });
    found.unwrap_or_else(|| {
        tracing::warn!(lang = %lang, id, "no such message");
        id.to_string()
    })
}

/// The messages of a Fluent file and the variables each uses (`$name`), read from its text: what
/// the completeness test compares between languages.
pub fn messages_of(
    source: &str,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(char::is_whitespace)
            && let Some((id, _)) = line.split_once('=')
        {
            let id = id.trim().to_string();
            out.entry(id.clone()).or_default();
            current = Some(id);
        }
        let Some(id) = &current else { continue };
        let vars = out.entry(id.clone()).or_default();
        let mut rest = line;
        while let Some(i) = rest.find('$') {
            rest = &rest[i + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !name.is_empty() {
                vars.insert(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_in_every_language_with_the_same_variables() {
        let en = messages_of(EN_FTL);
        assert!(en.len() > 50, "only {} English messages read", en.len());
        for lang in Lang::ALL {
            let other = messages_of(lang.source());
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{lang} has messages English lacks: {extra:?}"
            );
            for (id, vars) in &en {
                assert_eq!(
                    vars, &other[id],
                    "{id}: English uses {vars:?}, {lang} uses {:?}",
                    other[id]
                );
            }
        }
    }

    #[test]
    fn both_files_parse_without_errors_and_every_message_has_a_value() {
        for lang in Lang::ALL {
            if let Err((_, errors)) = FluentResource::try_new(lang.source().to_string()) {
                panic!("{lang}: {errors:?}");
            }
            let bundle = bundle_of(lang);
            for id in messages_of(lang.source()).keys() {
                let m = bundle.get_message(id);
                assert!(
                    m.and_then(|m| m.value()).is_some(),
                    "{lang}: {id} has no value"
                );
            }
        }
    }

    #[test]
    fn the_checker_sees_a_missing_message_and_a_missing_variable() {
        let a = messages_of(
            "one = One { $n }\ntwo = Two\n    { $m ->\n        [x] X\n       *[y] Y\n    }\n",
        );
        let b = messages_of("one = Uno\n");
        assert_eq!(a["one"].iter().collect::<Vec<_>>(), ["n"]);
        assert_eq!(a["two"].iter().collect::<Vec<_>>(), ["m"]);
        assert!(!b.contains_key("two"));
        assert!(b["one"].is_empty());
    }

    /// Every message id the code names (`Msg::new("…")`, `tr(…, "…")`) is in the English file.
    #[test]
    fn every_id_the_code_uses_exists() {
        let en = messages_of(EN_FTL);
        let mut missing = Vec::new();
        let mut seen = 0;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                // This file names ids in its own tests.
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("i18n.rs") {
                    continue;
                }
                let code = std::fs::read_to_string(&path).unwrap_or_default();
                for id in ids_in(&code) {
                    seen += 1;
                    if !en.contains_key(&id) {
                        missing.push(format!("{}: {id}", path.display()));
                    }
                }
            }
        }
        assert!(
            seen > 50,
            "only {seen} ids found: the scan is not reading the code"
        );
        assert!(
            missing.is_empty(),
            "ids with no English message: {missing:?}"
        );
    }

    /// The ids in `Msg::new("id")` and `tr(lang, "id")` calls.
    fn ids_in(code: &str) -> Vec<String> {
        let mut out = Vec::new();
        for opener in ["Msg::new(\"", "tr("] {
            let mut rest = code;
            while let Some(i) = rest.find(opener) {
                // `tr(` itself, not the end of `attr(` or `str(`.
                let called = opener != "tr("
                    || !rest[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_');
                rest = &rest[i + opener.len()..];
                if !called {
                    continue;
                }
                let start = if opener == "tr(" {
                    // `tr(lang, "id")`: the first literal on the same line.
                    match rest.split('\n').next().and_then(|l| l.find(", \"")) {
                        Some(q) => q + 3,
                        None => continue,
                    }
                } else {
                    0
                };
                let tail = &rest[start..];
                if let Some(end) = tail.find('"') {
                    let id = &tail[..end];
                    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.push(id.to_string());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn locales_choose_the_language() {
        assert_eq!(Lang::from_discord("es-ES"), Lang::Es);
        assert_eq!(Lang::from_discord("es-419"), Lang::Es);
        assert_eq!(Lang::from_discord("en-US"), Lang::En);
        assert_eq!(Lang::from_discord("pt-BR"), Lang::En);
        assert_eq!(Lang::from_discord(""), Lang::En);
        assert_eq!(Lang::from_discord("???"), Lang::En);
        assert_eq!(Lang::from_tag("es_ES.UTF-8"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("es_MX@euro"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("C"), None);
        assert_eq!("ES".parse::<Lang>(), Ok(Lang::Es));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn the_environment_is_read_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |v: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == v)
                    .map(|(_, x)| x.to_string())
            }
        };
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "es_ES.UTF-8")])),
            Lang::Es
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "es_ES.UTF-8"), ("LC_ALL", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "es_AR")])),
            Lang::Es
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LC_ALL", ""), ("LANG", "es_ES.UTF-8")])),
            Lang::Es
        );
        assert_eq!(Lang::from_env_with(env(&[("LANG", "C")])), Lang::En);
        assert_eq!(Lang::from_env_with(env(&[])), Lang::En);
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_id() {
        assert_eq!(tr(Lang::Es, "no-such-message"), "no-such-message");
        // Plurals and arguments, in both languages.
        let m = Msg::new("cooldown").arg("seconds", 1);
        assert!(
            m.text(Lang::En).contains("1 second."),
            "{}",
            m.text(Lang::En)
        );
        assert!(
            m.text(Lang::Es).contains("1 segundo."),
            "{}",
            m.text(Lang::Es)
        );
        let m = Msg::new("cooldown").arg("seconds", 5);
        assert!(m.text(Lang::En).contains("5 seconds."));
        assert!(m.text(Lang::Es).contains("5 segundos."));
        // No isolation marks around arguments.
        assert!(!m.text(Lang::En).contains('\u{2068}'));
    }
}
