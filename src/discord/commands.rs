//! The commands cabildo registers with Discord, and the one place an incoming interaction is parsed
//! into a typed [`Action`]. Button custom ids are encoded and parsed back here too
//! ([`ButtonId`]); anything that does not parse is [`Action::Stale`], never a panic.

use serenity::all::{
    ChannelType, CommandDataOptionValue, CommandInteraction, CommandOptionType, CommandType,
    ComponentInteraction, Interaction, Permissions, ResolvedOption, ResolvedTarget, ResolvedValue,
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
        /// `None`: not chosen in the command (the member's or server's setting decides).
        private: Option<bool>,
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
    /// `/settings show|set|reset` (server settings; Manage Server only).
    Settings(SettingsCommand),
    /// `/preferences show|set|reset` (a member's own).
    Preferences(SettingsCommand),
    /// `/plan start|status|pause|resume|skip|stop` (Manage Server only).
    Plan(PlanCommand),
    /// `/bookmark add`, `/bookmarks list|export`.
    Bookmark(BookmarkCommand),
    /// `/texts add|remove|list`: the server's own texts (Manage Server; issue 28).
    Texts(TextsCommand),
    /// An unknown command or a stale or forged custom id.
    Stale,
}

/// What `/settings` or `/preferences` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsCommand {
    Show,
    /// Only the options given change.
    Set(SettingsChange),
    Reset,
}

/// The options of `/settings set` (members' `/preferences set` has the first three), as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsChange {
    pub document: Option<String>,
    pub private: Option<bool>,
    pub results: Option<i64>,
    pub rate_burst: Option<i64>,
    pub rate_refill_seconds: Option<i64>,
}

/// What `/plan` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanCommand {
    Start(StartPlan),
    Status,
    Pause,
    Resume,
    Skip,
    Stop,
}

/// What `/bookmark` or `/bookmarks` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum BookmarkCommand {
    Add {
        reference: String,
        note: Option<String>,
    },
    /// One page of a member's bookmarks (from 1).
    List { page: Option<i64> },
    /// The Markdown export; `part` (from 1) when it takes more than one message.
    Export { part: Option<i64> },
}

/// What `/texts` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum TextsCommand {
    Add {
        /// The file as Discord resolved it (`None`: the attachment was not in the interaction).
        file: Option<Attachment>,
        title: Option<String>,
        language: Option<String>,
    },
    Remove {
        document: String,
    },
    List,
}

/// An attachment of an interaction, as its resolved data describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub url: String,
    pub file_name: String,
    /// Bytes, as Discord says.
    pub size: u64,
}

/// Longest title given to a text.
pub const MAX_TITLE: u16 = 200;

/// Longest note on a bookmark, in characters.
pub const MAX_NOTE: u16 = 500;

/// `/plan start`'s options, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct StartPlan {
    pub document: String,
    pub from: Option<String>,
    pub passages_per_day: Option<i64>,
    pub channel: Option<u64>,
    pub time: Option<String>,
    pub timezone: Option<String>,
}

/// A string option of a subcommand.
fn opt_string(opts: &[ResolvedOption<'_>], name: &str) -> Option<String> {
    opts.iter().find_map(|o| match (o.name == name, &o.value) {
        (true, ResolvedValue::String(s)) => Some(s.to_string()),
        _ => None,
    })
}

/// An integer option of a subcommand.
fn opt_integer(opts: &[ResolvedOption<'_>], name: &str) -> Option<i64> {
    opts.iter().find_map(|o| match (o.name == name, &o.value) {
        (true, ResolvedValue::Integer(i)) => Some(*i),
        _ => None,
    })
}

/// Who sent an interaction, and where: the context of server-scoped commands and settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin {
    /// `None` in direct messages.
    pub guild: Option<u64>,
    pub channel: u64,
    pub user: u64,
    /// The bot's permissions in `channel`, as Discord sent them (`app_permissions`).
    pub bot_permissions: Option<u64>,
    /// The member's permissions in `channel`, as Discord sent them (`member.permissions`).
    pub member_permissions: Option<u64>,
    /// The largest attachment the interaction may carry (`attachment_size_limit`).
    pub attachment_size_limit: Option<u64>,
}

/// Discord's Administrator and Manage Server permission bits.
const ADMINISTRATOR: u64 = 1 << 3;
const MANAGE_GUILD: u64 = 1 << 5;

impl Origin {
    /// The member may manage the server (Manage Server or Administrator), as Discord says.
    pub fn manages_server(&self) -> bool {
        self.member_permissions
            .is_some_and(|p| p & (ADMINISTRATOR | MANAGE_GUILD) != 0)
    }
}

impl Origin {
    /// The origin of an interaction.
    pub fn of(interaction: &Interaction) -> Origin {
        let of = |c: Option<serenity::all::GuildId>,
                  ch: serenity::all::ChannelId,
                  u: serenity::all::UserId,
                  p: Option<serenity::all::Permissions>,
                  m: Option<serenity::all::Permissions>,
                  limit: u32| Origin {
            guild: c.map(|g| g.get()),
            channel: ch.get(),
            user: u.get(),
            bot_permissions: p.map(|p| p.bits()),
            member_permissions: m.map(|p| p.bits()),
            attachment_size_limit: (limit > 0).then_some(u64::from(limit)),
        };
        match interaction {
            Interaction::Command(c) | Interaction::Autocomplete(c) => of(
                c.guild_id,
                c.channel_id,
                c.user.id,
                c.app_permissions,
                c.member.as_ref().and_then(|m| m.permissions),
                c.attachment_size_limit,
            ),
            Interaction::Component(c) => of(
                c.guild_id,
                c.channel_id,
                c.user.id,
                c.app_permissions,
                c.member.as_ref().and_then(|m| m.permissions),
                c.attachment_size_limit,
            ),
            _ => Origin::default(),
        }
    }
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
        settings_schema(),
        preferences_schema(),
        plan_schema(),
        CreateCommand::new("bookmark")
            .description("Keep a passage, with a note, to find it again")
            .add_option(
                sub("add", "Bookmark a passage by its reference")
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "reference",
                            "The passage: 2.3, John 3:16 (start typing a section title)",
                        )
                        .required(true)
                        .set_autocomplete(true)
                        .max_length(100),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "note",
                            "Your note (up to 500 characters)",
                        )
                        .max_length(MAX_NOTE),
                    ),
            ),
        CreateCommand::new("bookmarks")
            .description("Your bookmarks (only you see them)")
            .add_option(
                sub("list", "Your bookmarks, ten to a page").add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "page",
                        "The page (default 1)",
                    )
                    .min_int_value(1),
                ),
            )
            .add_option(
                sub("export", "Your bookmarks as a Markdown file").add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "part",
                        "The part, when the export takes several messages (default 1)",
                    )
                    .min_int_value(1),
                ),
            ),
        texts_schema(),
        CreateCommand::new(FIND_IN_TEXT).kind(CommandType::Message),
    ]
}

/// `/texts`: the server's own texts (Manage Server; the bot checks it too).
fn texts_schema() -> CreateCommand {
    CreateCommand::new("texts")
        .description("This server's own texts: add, remove, list (Manage Server)")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .dm_permission(false)
        .add_option(
            sub(
                "add",
                "Add a text for this server from a file (text, Markdown, HTML, EPUB or PDF)",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Attachment,
                    "file",
                    "The text: plain text, Markdown, HTML, EPUB or PDF",
                )
                .required(true),
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "title",
                    "Its title (default: what the text says, else the file name)",
                )
                .max_length(MAX_TITLE),
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "language",
                    "Its language, such as en or es (default: read from the text)",
                )
                .max_length(20),
            ),
        )
        .add_option(
            sub("remove", "Remove one of this server's texts").add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "document",
                    "The text to remove (start typing its name)",
                )
                .required(true)
                .set_autocomplete(true)
                .max_length(100),
            ),
        )
        .add_option(sub(
            "list",
            "This server's texts, and the texts every server has",
        ))
}

fn texts_command(c: &CommandInteraction) -> Option<TextsCommand> {
    let (name, opts) = subcommand(c)?;
    let given = |n: &str| opt_string(&opts, n).filter(|s| !s.trim().is_empty());
    Some(match name {
        "add" => TextsCommand::Add {
            file: opts.iter().find_map(|o| match (o.name, &o.value) {
                ("file", ResolvedValue::Attachment(a)) => Some(Attachment {
                    url: a.url.clone(),
                    file_name: a.filename.clone(),
                    size: u64::from(a.size),
                }),
                _ => None,
            }),
            title: given("title"),
            language: given("language"),
        },
        "remove" => TextsCommand::Remove {
            document: opt_string(&opts, "document")?,
        },
        "list" => TextsCommand::List,
        _ => return None,
    })
}

fn settings_options(sub: CreateCommandOption, server: bool) -> CreateCommandOption {
    let who = if server { "Default" } else { "Your default" };
    let mut sub = sub
        .add_sub_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "document",
                format!("{who} text for /ask and /read (`all` for every text)"),
            )
            .set_autocomplete(true)
            .max_length(100),
        )
        .add_sub_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            "private",
            format!("{who}: answers only the asker sees"),
        ))
        .add_sub_option(
            CreateCommandOption::new(
                CommandOptionType::Integer,
                "results",
                "Passages per answer (1-10)",
            )
            .min_int_value(1)
            .max_int_value(10),
        );
    if server {
        sub = sub
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "rate_burst",
                    "Rate limit: requests a member may send at once (1-100)",
                )
                .min_int_value(1)
                .max_int_value(100),
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "rate_refill_seconds",
                    "Rate limit: seconds until a used request comes back (0 turns it off)",
                )
                .min_int_value(0)
                .max_int_value(3600),
            );
    }
    sub
}

fn sub(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
}

/// `/settings`: only members with Manage Server see it (Discord enforces it; server admins can
/// change who sees it under Server Settings → Integrations).
fn settings_schema() -> CreateCommand {
    CreateCommand::new("settings")
        .description("This server's settings for the bot (Manage Server)")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .dm_permission(false)
        .add_option(sub("show", "Show the settings and where each comes from"))
        .add_option(settings_options(
            sub("set", "Change settings; options left out stay as they are"),
            true,
        ))
        .add_option(sub("reset", "Back to the bot's defaults"))
}

/// `/preferences`: a member's own defaults in this server.
fn preferences_schema() -> CreateCommand {
    CreateCommand::new("preferences")
        .description("Your own defaults in this server (over the server's settings)")
        .dm_permission(false)
        .add_option(sub("show", "Show the settings that apply to you"))
        .add_option(settings_options(
            sub(
                "set",
                "Change your defaults; options left out stay as they are",
            ),
            false,
        ))
        .add_option(sub("reset", "Forget your defaults"))
}

/// `/plan`: reading plans (Manage Server).
fn plan_schema() -> CreateCommand {
    CreateCommand::new("plan")
        .description("Read a text together: the next passages posted every day (Manage Server)")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .dm_permission(false)
        .add_option(
            sub("start", "Start a reading plan in this server")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "document",
                        "The text to read",
                    )
                    .required(true)
                    .set_autocomplete(true)
                    .max_length(100),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "from",
                        "Where to start, a reference such as 2.1 (default: the beginning)",
                    )
                    .max_length(100),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "passages_per_day",
                        "Passages in each post (1-10, default 1)",
                    )
                    .min_int_value(1)
                    .max_int_value(u64::from(crate::schedule::MAX_PER_DAY)),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Channel,
                        "channel",
                        "Where to post (default: this channel)",
                    )
                    .channel_types(vec![ChannelType::Text, ChannelType::News]),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "time",
                        "Local time of the post, 24-hour HH:MM (default 08:00)",
                    )
                    .max_length(10),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "timezone",
                        "IANA time zone such as Europe/Madrid (default UTC)",
                    )
                    .set_autocomplete(true)
                    .max_length(64),
                ),
        )
        .add_option(sub("status", "The plan: what comes next, and when"))
        .add_option(sub("pause", "Stop posting until resumed"))
        .add_option(sub("resume", "Post again, from where it stopped"))
        .add_option(sub("skip", "Skip the next day's passages"))
        .add_option(sub("stop", "End the plan"))
}

/// The subcommand of a command and its options.
fn subcommand(c: &CommandInteraction) -> Option<(&str, Vec<ResolvedOption<'_>>)> {
    c.data.options().into_iter().find_map(|o| match o.value {
        ResolvedValue::SubCommand(opts) => Some((o.name, opts)),
        _ => None,
    })
}

fn settings_command(c: &CommandInteraction) -> Option<SettingsCommand> {
    let (name, opts) = subcommand(c)?;
    Some(match name {
        "show" => SettingsCommand::Show,
        "reset" => SettingsCommand::Reset,
        "set" => {
            let mut change = SettingsChange::default();
            for o in opts {
                match (o.name, o.value) {
                    ("document", ResolvedValue::String(s)) => change.document = Some(s.to_string()),
                    ("private", ResolvedValue::Boolean(b)) => change.private = Some(b),
                    ("results", ResolvedValue::Integer(i)) => change.results = Some(i),
                    ("rate_burst", ResolvedValue::Integer(i)) => change.rate_burst = Some(i),
                    ("rate_refill_seconds", ResolvedValue::Integer(i)) => {
                        change.rate_refill_seconds = Some(i)
                    }
                    _ => {}
                }
            }
            SettingsCommand::Set(change)
        }
        _ => return None,
    })
}

fn plan_command(c: &CommandInteraction) -> Option<PlanCommand> {
    let (name, opts) = subcommand(c)?;
    Some(match name {
        "start" => {
            let given = |n: &str| opt_string(&opts, n).filter(|s| !s.trim().is_empty());
            PlanCommand::Start(StartPlan {
                document: opt_string(&opts, "document")?,
                from: given("from"),
                passages_per_day: opt_integer(&opts, "passages_per_day"),
                channel: opts.iter().find_map(|o| match (o.name, &o.value) {
                    ("channel", ResolvedValue::Channel(ch)) => Some(ch.id.get()),
                    _ => None,
                }),
                time: given("time"),
                timezone: given("timezone"),
            })
        }
        "status" => PlanCommand::Status,
        "pause" => PlanCommand::Pause,
        "resume" => PlanCommand::Resume,
        "skip" => PlanCommand::Skip,
        "stop" => PlanCommand::Stop,
        _ => return None,
    })
}

fn bookmark_command(c: &CommandInteraction) -> Option<BookmarkCommand> {
    let (name, opts) = subcommand(c)?;
    Some(match (c.data.name.as_str(), name) {
        ("bookmark", "add") => BookmarkCommand::Add {
            reference: opt_string(&opts, "reference")?,
            note: opt_string(&opts, "note").filter(|n| !n.trim().is_empty()),
        },
        ("bookmarks", "list") => BookmarkCommand::List {
            page: opt_integer(&opts, "page"),
        },
        ("bookmarks", "export") => BookmarkCommand::Export {
            part: opt_integer(&opts, "part"),
        },
        _ => return None,
    })
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
                private: boolean("private"),
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
        "settings" => settings_command(c).map_or(Action::Stale, Action::Settings),
        "preferences" => settings_command(c).map_or(Action::Stale, Action::Preferences),
        "plan" => plan_command(c).map_or(Action::Stale, Action::Plan),
        "bookmark" | "bookmarks" => bookmark_command(c).map_or(Action::Stale, Action::Bookmark),
        "texts" => texts_command(c).map_or(Action::Stale, Action::Texts),
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

/// Whether a late answer to `action` is deferred privately ("thinking…" that only the member
/// sees): its answer will be private (a private question, a lookup of one's own, an admin's
/// command), and a public deferral cannot be made private afterwards.
pub fn defers_privately(action: &Action) -> bool {
    matches!(
        action,
        Action::Ask {
            private: Some(true),
            ..
        } | Action::Find { .. }
            | Action::Help
            | Action::Settings(_)
            | Action::Preferences(_)
            | Action::Plan(_)
            | Action::Bookmark(_)
            | Action::Texts(_)
    )
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
        private: Some(false),
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
                private: Some(false)
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
