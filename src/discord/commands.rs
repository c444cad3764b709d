//! The commands cabildo registers with Discord, and the one place an incoming interaction is parsed
//! into a typed [`Action`]. Button custom ids are encoded and parsed back here too
//! ([`ButtonId`]); anything that does not parse is [`Action::Stale`], never a panic.

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, CommandOptionType, CommandType,
    ComponentInteraction, Interaction, ResolvedTarget, ResolvedValue,
};
use serenity::builder::{CreateCommand, CreateCommandOption};

use crate::render::discord as render;
use crate::reply::ids::question_hash;
use crate::reply::{ButtonId, QuestionKey};

/// Name of the message context-menu command.
pub const FIND_IN_TEXT: &str = "Find in the text";

/// Longest question accepted by `/ask` (Discord allows more; nobody needs it).
pub const MAX_QUESTION: u16 = 500;

/// What a member asked for, parsed once from an interaction or a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `/ask`, a mention, a direct message.
    Ask {
        question: String,
        document: Option<String>,
        private: bool,
    },
    /// The "Find in the text" context-menu command on a message.
    Find { text: String },
    /// `/quote reference`.
    Quote { reference: String },
    /// `/read section [paragraph]`.
    Read {
        section: String,
        paragraph: Option<u32>,
    },
    /// `/toc [document]`.
    Toc { document: Option<String> },
    /// `/help`.
    Help,
    /// Autocomplete of `option` in `command`, with what the member has typed so far.
    Complete {
        command: String,
        option: String,
        partial: String,
    },
    /// A button press.
    Button(ButtonId),
    /// An unknown command or a stale or forged custom id.
    Stale,
}

/// The commands, as registered with Discord.
pub fn schema() -> Vec<CreateCommand> {
    let document = |what: &str| {
        CreateCommandOption::new(CommandOptionType::String, "document", what)
            .required(false)
            .set_autocomplete(true)
            .max_length(100)
    };
    vec![
        CreateCommand::new("ask")
            .description("Ask a question; get the passages of the text that answer it, quoted")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "question",
                    "Your question, in plain words",
                )
                .required(true)
                .max_length(MAX_QUESTION),
            )
            .add_option(document("Search only this text"))
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "private",
                    "Show the answer only to you",
                )
                .required(false),
            ),
        CreateCommand::new("quote")
            .description("Quote passages by reference: 2.3, 2.3-5, John 3:16")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "reference",
                    "A reference such as 2.3, 2.3-5 or John 3:16 (start typing a section title)",
                )
                .required(true)
                .set_autocomplete(true)
                .max_length(100),
            ),
        CreateCommand::new("read")
            .description("Read the text one passage at a time, with buttons to move on")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "section",
                    "Where to start: a section number or title (start typing)",
                )
                .required(true)
                .set_autocomplete(true)
                .max_length(100),
            )
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "paragraph",
                    "The passage to start at (default: the first)",
                )
                .required(false)
                .min_int_value(1),
            ),
        CreateCommand::new("toc")
            .description("The table of contents: sections, their numbers and passage counts")
            .add_option(document("Only this text")),
        CreateCommand::new("help").description("What this bot does, its commands and its texts"),
        CreateCommand::new(FIND_IN_TEXT).kind(CommandType::Message),
    ]
}

/// Parses an interaction. `None` for kinds the bot does not handle (pings, modals).
pub fn parse(interaction: &Interaction) -> Option<Action> {
    match interaction {
        Interaction::Command(c) => Some(parse_command(c)),
        Interaction::Autocomplete(c) => Some(parse_autocomplete(c)),
        Interaction::Component(c) => Some(parse_component(c)),
        _ => None,
    }
}

/// A slash or context-menu command.
pub fn parse_command(c: &CommandInteraction) -> Action {
    let options = c.data.options();
    let string = |name: &str| {
        options
            .iter()
            .find_map(|o| match (o.name == name, &o.value) {
                (true, ResolvedValue::String(s)) => Some(s.to_string()),
                _ => None,
            })
    };
    let boolean = |name: &str| {
        options
            .iter()
            .find_map(|o| match (o.name == name, &o.value) {
                (true, ResolvedValue::Boolean(b)) => Some(*b),
                _ => None,
            })
    };
    let integer = |name: &str| {
        options
            .iter()
            .find_map(|o| match (o.name == name, &o.value) {
                (true, ResolvedValue::Integer(i)) => Some(*i),
                _ => None,
            })
    };
    match c.data.name.as_str() {
        "ask" => match string("question") {
            Some(question) => Action::Ask {
                question,
                document: string("document").filter(|d| !d.trim().is_empty()),
                private: boolean("private").unwrap_or(false),
            },
            None => Action::Stale,
        },
        "quote" => {
            string("reference").map_or(Action::Stale, |reference| Action::Quote { reference })
        }
        "read" => match string("section") {
            Some(section) => Action::Read {
                section,
                paragraph: integer("paragraph").and_then(|p| u32::try_from(p).ok()),
            },
            None => Action::Stale,
        },
        "toc" => Action::Toc {
            document: string("document").filter(|d| !d.trim().is_empty()),
        },
        "help" => Action::Help,
        FIND_IN_TEXT => match c.data.target() {
            Some(ResolvedTarget::Message(m)) => Action::Find {
                text: m.content.clone(),
            },
            _ => Action::Stale,
        },
        _ => Action::Stale,
    }
}

fn parse_autocomplete(c: &CommandInteraction) -> Action {
    // serenity's `autocomplete()` finds the focused option.
    match c.data.autocomplete() {
        Some(focused) => Action::Complete {
            command: c.data.name.clone(),
            option: focused.name.to_string(),
            partial: focused.value.to_string(),
        },
        None => {
            // Fall back to the first string option, if any.
            let partial = c
                .data
                .options
                .iter()
                .find_map(|o| match &o.value {
                    CommandDataOptionValue::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            Action::Complete {
                command: c.data.name.clone(),
                option: String::new(),
                partial,
            }
        }
    }
}

fn parse_component(c: &ComponentInteraction) -> Action {
    match ButtonId::parse(&c.data.custom_id) {
        // A question too long for its button is on the message the button sits on (the answer's
        // title): read it from there when it hashes right, so any replica can page the answer
        // without having remembered the question.
        Some(ButtonId::More {
            offset,
            doc,
            question: QuestionKey::Hash(h),
        }) => {
            let shown = c
                .message
                .embeds
                .first()
                .and_then(|e| e.title.as_deref())
                .and_then(render::asked_in_title)
                .filter(|q| question_hash(q) == h);
            Action::Button(ButtonId::More {
                offset,
                doc,
                question: shown.map_or(QuestionKey::Hash(h), QuestionKey::Text),
            })
        }
        Some(id) => Action::Button(id),
        None => Action::Stale,
    }
}

/// A message that mentions the bot (or a direct message): its text without the mention.
/// `None` when nothing is left to ask.
pub fn from_mention(content: &str, bot_id: u64) -> Option<Action> {
    let question = content
        .replace(&format!("<@{bot_id}>"), " ")
        .replace(&format!("<@!{bot_id}>"), " ");
    let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
    if question.is_empty() {
        return None;
    }
    Some(Action::Ask {
        question,
        document: None,
        private: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_stripped() {
        assert_eq!(
            from_mention("<@42>  what is   dual power?", 42),
            Some(Action::Ask {
                question: "what is dual power?".into(),
                document: None,
                private: false
            })
        );
        assert_eq!(from_mention("<@!42>", 42), None);
    }

    #[test]
    fn schema_names_and_descriptions_fit() {
        let v = serde_json::to_value(schema()).expect("serializes");
        for c in v.as_array().expect("array") {
            let name = c["name"].as_str().expect("name");
            assert!((1..=32).contains(&name.chars().count()), "{name}");
            if let Some(d) = c["description"].as_str() {
                assert!(d.chars().count() <= 100, "{d}");
            }
            for o in c["options"].as_array().into_iter().flatten() {
                let d = o["description"].as_str().expect("option description");
                assert!((1..=100).contains(&d.chars().count()), "{d}");
            }
        }
    }
}
