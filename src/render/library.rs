//! The words of `/texts` and `cabildo texts` (issue 28): a text being added, step by step; one
//! removed; a server's list; and every refusal, saying which limit was met and what to do. Plain
//! Markdown of Discord's flavour (the terminal shows it as is); one function per reply, so that
//! the move to Fluent bundles finds them all here. What members typed (titles, file names) goes
//! through the caller's `escape` ([`crate::render::discord::markdown`] for Discord, nothing for
//! a terminal).

use crate::corpus::BytesError;
use crate::library::fetch::FetchError;
use crate::library::{Listing, Refusal, Removed, Step, VectorProgress};
use crate::reply::{Adding, TextsReply};
use crate::store::TextInfo;

/// How what members typed is shown.
pub type Escape<'a> = &'a dyn Fn(&str) -> String;

/// Shows text as it is (a terminal).
pub fn as_is(text: &str) -> String {
    text.to_string()
}

/// The words of a `/texts` reply.
pub fn words(reply: &TextsReply, escape: Escape) -> String {
    match reply {
        TextsReply::Adding(a) => adding(a, escape),
        TextsReply::Refused { file_name, refusal } => {
            refused(file_name.as_deref(), refusal, escape)
        }
        TextsReply::Removed(r) => removed(r, escape),
        TextsReply::List(l) => list(l, escape),
        TextsReply::NotAllowed => "Only members with **Manage Server** may add or remove this server's texts. Ask one of them, or ask an admin to give you that permission.".to_string(),
    }
}

/// Bytes for people: `950 bytes`, `12.3 KB`, `4.5 MB` (powers of 1,024, as limits are set).
pub fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} bytes")
    } else if b < KIB * KIB {
        format!("{:.1} KB", b / KIB)
    } else {
        format!("{:.1} MB", b / KIB / KIB)
    }
}

fn name(file_name: Option<&str>, escape: Escape) -> String {
    match file_name {
        Some(f) => format!("“{}”", escape(f)),
        None => "the text".to_string(),
    }
}

/// A text on its way in.
pub fn adding(a: &Adding, escape: Escape) -> String {
    let mut lines = Vec::new();
    match &a.read {
        None => lines.push(format!("📥 Reading {}…", name(Some(&a.file_name), escape))),
        Some(Step::Read {
            title,
            id,
            format,
            sections,
            passages,
            note,
        }) => {
            let how = note
                .as_deref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default();
            lines.push(format!(
                "📖 Read **{}** (`{id}`, {}{how}): {sections} section{}, {passages} passage{}.",
                escape(title),
                format.name(),
                plural(*sections),
                plural(*passages),
            ));
            match a.ready {
                None => lines.push("⏳ Indexing…".to_string()),
                Some(after) => lines.push(format!(
                    "✅ Ready to answer (after {:.1} s): ask with `/ask question: … document:{id}`, or quote it with `/quote reference:{id}:1.1`.",
                    after.as_secs_f64()
                )),
            }
        }
        Some(Step::Ready) => {}
    }
    if let Some(v) = &a.vectors {
        lines.push(vectors(v));
    }
    lines.join("\n")
}

fn vectors(v: &VectorProgress) -> String {
    match v.finished {
        Some(true) => "🧠 Meaning search ready: questions asked in other words than the text's find it too.".to_string(),
        Some(false) => "Meaning search could not be prepared for it (the bot's host can see why in the log); answers are found by the text's own words meanwhile.".to_string(),
        None if v.total == 0 => "🧠 Preparing meaning search…".to_string(),
        None => format!(
            "🧠 Preparing meaning search: {}% ({} of {} passages and sentences). Answers already work by the text's words.",
            v.done * 100 / v.total.max(1),
            v.done,
            v.total
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why a text was not added or removed, and what to do.
pub fn refused(file_name: Option<&str>, refusal: &Refusal, escape: Escape) -> String {
    let what = name(file_name, escape);
    let body = match refusal {
        Refusal::TooLarge { size: s, max } => format!(
            "{what} is {}, more than the {} a text may be here. Split it into parts (by chapter, say) and add each, or ask the bot's host to raise `max_text_bytes`.",
            size(*s),
            size(*max)
        ),
        Refusal::Unreadable(e) => format!("I could not read {what}: {}.", unreadable(e)),
        Refusal::TooSlow { seconds } => format!(
            "Reading {what} took longer than the {seconds} s allowed, so I stopped. Split it into smaller parts and add those."
        ),
        Refusal::Taken { id } => format!(
            "This server has a text called `{id}` already. Give this one another title with the `title` option, or remove the other first with `/texts remove document:{id}`."
        ),
        Refusal::HostHas { id } => format!(
            "`{id}` is one of the bot's own texts, which every server has already. If yours is another text, give it another title with the `title` option."
        ),
        Refusal::TooMany { count, max } => format!(
            "This server has {count} texts, the most it may keep ({max}). Remove one with `/texts remove` first, or ask the bot's host to raise `max_texts_per_server`."
        ),
        Refusal::OverQuota { used, size: s, max } => format!(
            "This server's texts take {}; with this one ({}) they would pass the {} a server may keep. Remove a text with `/texts remove`, or ask the bot's host to raise `max_bytes_per_server`.",
            size(*used as u64),
            size(*s as u64),
            size(*max as u64)
        ),
        Refusal::NotFound { name: n, available } if available.is_empty() => format!(
            "This server has no text called “{}”; it has no texts of its own yet (add one with `/texts add`).",
            escape(n)
        ),
        Refusal::NotFound { name: n, available } => format!(
            "This server has no text called “{}”. Its texts: {}.",
            escape(n),
            available
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Refusal::NoStore => "This bot runs without a database, so servers cannot keep texts of their own. Its admin can turn it on (see `cabildo db status`).".to_string(),
        Refusal::NoFile => {
            "Attach the file with the command: `/texts add file:` and pick a .txt or .md file."
                .to_string()
        }
        Refusal::Fetch(FetchError::NotAllowed) => format!(
            "{what} does not come from Discord's file server, so I did not fetch it."
        ),
        Refusal::Fetch(FetchError::TooLarge { size: s, max }) => format!(
            "{what} is {}, more than the {} a text may be here.",
            size(*s),
            size(*max)
        ),
        Refusal::Fetch(FetchError::Status(code)) => format!(
            "I could not download {what} from Discord (it answered {code}). Please try again."
        ),
        Refusal::Fetch(FetchError::Failed(_)) => format!(
            "I could not download {what} from Discord (the connection failed). Please try again."
        ),
    };
    let unchanged = match refusal {
        Refusal::NotFound { .. } | Refusal::NoStore | Refusal::NoFile => "",
        _ => " Nothing was added; this server's texts are as they were.",
    };
    format!("{body}{unchanged}")
}

/// The formats a text may be sent in.
const SEND_AS: &str = "Send it as plain text, Markdown, HTML, EPUB or a PDF with a text layer";

/// What is wrong with bytes that are not a text.
fn unreadable(e: &BytesError) -> String {
    match e {
        BytesError::Empty => "the file is empty".to_string(),
        BytesError::Binary(kind) if kind.is_empty() => {
            format!("it is not a text (it holds binary data). {SEND_AS}")
        }
        BytesError::Binary(kind) => format!("it is not a text (it is {kind}). {SEND_AS}"),
        BytesError::Read(e) => format!("{e}"),
        BytesError::Encoding(share) => format!(
            "{share}% of it is not UTF-8, the usual encoding of text files. Save it as UTF-8 text and send it again"
        ),
        BytesError::NoPassages => "it has no paragraphs of text in it".to_string(),
    }
}

/// A text removed.
pub fn removed(r: &Removed, escape: Escape) -> String {
    let plan = if r.plan_paused {
        " The reading plan on it is paused (`/plan status`); stop it with `/plan stop`, or add the text again and `/plan resume`."
    } else {
        ""
    };
    format!(
        "🗑 Removed **{}** (`{}`) from this server's texts. Questions are no longer answered from it; its buttons say they are out of date, and bookmarks keep the passages they saved.{plan}",
        escape(&r.text.title),
        r.text.doc_id
    )
}

/// A text removed, for a terminal.
pub fn removed_plain(r: &Removed) -> String {
    let plan = if r.plan_paused {
        "; the server's reading plan on it is paused"
    } else {
        ""
    };
    format!(
        "removed {} “{}” from server {}'s texts{plan}",
        r.text.doc_id, r.text.title, r.text.guild
    )
}

/// A text added, for a terminal.
pub fn added_plain(a: &crate::library::Added) -> String {
    format!(
        "added {} “{}” to server {}'s texts: {} sections, {} passages, {} ({}), answered from after {:.2} s",
        a.text.doc_id,
        a.text.title,
        a.text.guild,
        a.text.sections,
        a.text.passages,
        size(a.text.size as u64),
        a.text.format,
        a.ready_after.as_secs_f64()
    )
}

/// Why a reading plan was paused when its text was removed (stored with the plan).
pub fn plan_paused_reason(title: &str) -> String {
    format!("its text “{title}” was removed from the server's texts (`/texts remove`)")
}

/// Who added a text: a member (as a mention, which pings no one) or the host.
fn added_by(t: &TextInfo) -> String {
    if t.added_by == crate::library::HOST {
        "the bot's host".to_string()
    } else {
        format!("<@{}>", t.added_by)
    }
}

/// A server's texts and the host's.
pub fn list(l: &Listing, escape: Escape) -> String {
    let used: i64 = l.texts.iter().map(|t| t.size).sum();
    let mut out = format!(
        "**This server's texts** ({} of {}, {} of {}):",
        l.texts.len(),
        l.max_texts,
        size(used as u64),
        size(l.max_bytes)
    );
    if l.texts.is_empty() {
        out.push_str("\nNone yet: add one with `/texts add file:`.");
    }
    for t in &l.texts {
        out.push_str(&format!(
            "\n- `{}` **{}**: {}, {} passages; added by {} <t:{}:R>",
            t.doc_id,
            escape(&t.title),
            size(t.size as u64),
            t.passages,
            added_by(t),
            t.added_at
        ));
    }
    out.push_str("\n**Texts every server has**:");
    for (id, title, passages) in &l.host {
        out.push_str(&format!(
            "\n- `{id}` **{}**: {passages} passages",
            escape(title)
        ));
    }
    out
}

/// The same list for a terminal: dates as dates, the host as "host".
pub fn list_plain(l: &Listing) -> String {
    let mut lines = Vec::new();
    let used: i64 = l.texts.iter().map(|t| t.size).sum();
    lines.push(format!(
        "server texts: {} of {}, {} of {}",
        l.texts.len(),
        l.max_texts,
        size(used as u64),
        size(l.max_bytes)
    ));
    for t in &l.texts {
        let when = chrono::DateTime::from_timestamp(t.added_at, 0)
            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let by = if t.added_by == crate::library::HOST {
            "host".to_string()
        } else {
            format!("member {}", t.added_by)
        };
        lines.push(format!(
            "  {:24} {}  {}, {} passages, {}, added by {by} on {when}",
            t.doc_id,
            t.title,
            size(t.size as u64),
            t.passages,
            t.format
        ));
    }
    lines.push(format!("host texts (every server): {}", l.host.len()));
    for (id, title, passages) in &l.host {
        lines.push(format!("  {id:24} {title}  {passages} passages"));
    }
    lines.join("\n")
}
