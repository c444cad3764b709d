//! The words of `/texts` and `cabildo texts` (issue 28): a text being added, step by step; one
//! removed; a server's list; and every refusal, saying which limit was met and what to do. Plain
//! Markdown of Discord's flavour (the terminal shows it as is); one function per reply, its words
//! from the Fluent bundles ([`crate::i18n`]) in the language asked for. What members typed (titles, file names) goes
//! through the caller's `escape` ([`crate::render::discord::markdown`] for Discord, nothing for
//! a terminal).

use crate::corpus::{BytesError, ReadError};
use crate::i18n::{Lang, Msg, tr};
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
pub fn words(reply: &TextsReply, l: Lang, escape: Escape) -> String {
    match reply {
        TextsReply::Adding(a) => adding(a, l, escape),
        TextsReply::Refused { file_name, refusal } => {
            refused(file_name.as_deref(), refusal, l, escape)
        }
        TextsReply::Removed(r) => removed(r, l, escape),
        TextsReply::List(list_) => list(list_, l, escape),
        TextsReply::NotAllowed => tr(l, "texts-not-allowed"),
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

fn name(file_name: Option<&str>, l: Lang, escape: Escape) -> String {
    match file_name {
        Some(f) => Msg::new("texts-file-name").arg("name", escape(f)).text(l),
        None => tr(l, "texts-the-text"),
    }
}

/// A text on its way in.
pub fn adding(a: &Adding, l: Lang, escape: Escape) -> String {
    let mut lines = Vec::new();
    match &a.read {
        None => lines.push(
            Msg::new("texts-reading")
                .arg("name", name(Some(&a.file_name), l, escape))
                .text(l),
        ),
        Some(Step::Read {
            title,
            id,
            format,
            language,
            sections,
            passages,
            note,
        }) => {
            let how = note
                .as_deref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default();
            lines.push(
                Msg::new("texts-read")
                    .arg("title", escape(title))
                    .arg("id", id.clone())
                    .arg("how", format!("{}{how}", format.name()))
                    .arg("language", language.named())
                    .arg("sections", *sections)
                    .arg("passages", *passages)
                    .text(l),
            );
            match a.ready {
                None => lines.push(tr(l, "texts-indexing")),
                Some(after) => lines.push(
                    Msg::new("texts-ready")
                        .arg("seconds", format!("{:.1}", after.as_secs_f64()))
                        .arg("id", id.clone())
                        .text(l),
                ),
            }
        }
        Some(Step::Ready) => {}
    }
    if let Some(v) = &a.vectors {
        lines.push(vectors(v, l));
    }
    lines.join("\n")
}

fn vectors(v: &VectorProgress, l: Lang) -> String {
    match v.finished {
        Some(true) => tr(l, "texts-vectors-ready"),
        Some(false) => tr(l, "texts-vectors-failed"),
        None if v.total == 0 => tr(l, "texts-vectors-starting"),
        None => Msg::new("texts-vectors-progress")
            .arg("percent", v.done * 100 / v.total.max(1))
            .arg("done", v.done)
            .arg("total", v.total)
            .text(l),
    }
}

/// Why a text was not added or removed, and what to do.
pub fn refused(file_name: Option<&str>, refusal: &Refusal, l: Lang, escape: Escape) -> String {
    let what = name(file_name, l, escape);
    let m = |id: &'static str| Msg::new(id).arg("what", what.clone());
    let body = match refusal {
        Refusal::TooLarge { size: s, max } => m("refused-too-large")
            .arg("size", size(*s))
            .arg("max", size(*max)),
        Refusal::Unreadable(e) => m("refused-unreadable").arg("why", unreadable(e)),
        Refusal::TooSlow { seconds } => m("refused-too-slow").arg("seconds", seconds.to_string()),
        Refusal::Taken { id } => m("refused-taken").arg("id", id.clone()),
        Refusal::HostHas { id } => m("refused-host-has").arg("id", id.clone()),
        Refusal::TooMany { count, max } => {
            m("refused-too-many").arg("count", *count).arg("max", *max)
        }
        Refusal::OverQuota { used, size: s, max } => m("refused-over-quota")
            .arg("used", size(*used as u64))
            .arg("size", size(*s as u64))
            .arg("max", size(*max as u64)),
        Refusal::NotFound { name: n, available } if available.is_empty() => {
            m("refused-not-found-none").arg("name", escape(n))
        }
        Refusal::NotFound { name: n, available } => {
            m("refused-not-found").arg("name", escape(n)).arg(
                "texts",
                available
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        Refusal::NoStore => m("refused-no-store"),
        Refusal::NoFile => m("refused-no-file"),
        Refusal::Fetch(FetchError::NotAllowed) => m("refused-fetch-not-allowed"),
        Refusal::Fetch(FetchError::TooLarge { size: s, max }) => m("refused-fetch-too-large")
            .arg("size", size(*s))
            .arg("max", size(*max)),
        Refusal::Fetch(FetchError::Status(code)) => {
            m("refused-fetch-status").arg("code", code.to_string())
        }
        Refusal::Fetch(FetchError::Failed(_)) => m("refused-fetch-failed"),
    };
    let body = body.text(l);
    match refusal {
        Refusal::NotFound { .. } | Refusal::NoStore | Refusal::NoFile => body,
        _ => format!("{body} {}", tr(l, "refused-unchanged")),
    }
}

/// What is wrong with bytes that are not a text.
fn unreadable(e: &BytesError) -> Msg {
    match e {
        BytesError::Empty => Msg::new("unreadable-empty"),
        BytesError::Binary(kind) if kind.is_empty() => Msg::new("unreadable-binary"),
        BytesError::Binary(kind) => {
            Msg::new("unreadable-binary-kind").arg("kind", kind.to_string())
        }
        BytesError::Read(e) => read_error(e),
        BytesError::Encoding(share) => Msg::new("unreadable-encoding").arg("share", *share),
        BytesError::NoPassages => Msg::new("unreadable-no-passages"),
    }
}

/// Why the reader of an HTML page, EPUB or PDF refused it.
fn read_error(e: &ReadError) -> Msg {
    match e {
        ReadError::Binary(_) => Msg::new("unreadable-binary"),
        ReadError::Corrupt { format, detail } => Msg::new("unreadable-corrupt")
            .arg("format", *format)
            .arg("detail", detail.clone()),
        ReadError::TooLarge { limit_mb } => Msg::new("unreadable-unpacks").arg("mb", *limit_mb),
        ReadError::TooManyEntries { limit } => Msg::new("unreadable-entries").arg("limit", *limit),
        ReadError::TooSlow { seconds } => Msg::new("unreadable-slow").arg("seconds", *seconds),
        ReadError::NoTextLayer => Msg::new("unreadable-no-text-layer"),
        ReadError::Empty => Msg::new("unreadable-no-passages"),
        ReadError::Panicked { format, .. } => Msg::new("unreadable-failed").arg("format", *format),
    }
}

/// A text removed.
pub fn removed(r: &Removed, l: Lang, escape: Escape) -> String {
    let text = Msg::new("texts-removed")
        .arg("title", escape(&r.text.title))
        .arg("id", r.text.doc_id.clone())
        .text(l);
    if r.plan_paused {
        format!("{text} {}", tr(l, "texts-removed-plan"))
    } else {
        text
    }
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
fn added_by(t: &TextInfo, l: Lang) -> String {
    if t.added_by == crate::library::HOST {
        tr(l, "texts-host")
    } else {
        format!("<@{}>", t.added_by)
    }
}

/// A server's texts and the host's.
pub fn list(list: &Listing, l: Lang, escape: Escape) -> String {
    let used: i64 = list.texts.iter().map(|t| t.size).sum();
    let mut out = Msg::new("texts-list-head")
        .arg("count", list.texts.len())
        .arg("max", list.max_texts)
        .arg("used", size(used as u64))
        .arg("most", size(list.max_bytes))
        .text(l);
    if list.texts.is_empty() {
        out.push('\n');
        out.push_str(&tr(l, "texts-list-none"));
    }
    for t in &list.texts {
        out.push_str("\n- ");
        out.push_str(
            &Msg::new("texts-list-item")
                .arg("id", t.doc_id.clone())
                .arg("title", escape(&t.title))
                .arg("size", size(t.size as u64))
                .arg("passages", t.passages)
                .arg("by", added_by(t, l))
                .arg("when", t.added_at.to_string())
                .text(l),
        );
    }
    out.push('\n');
    out.push_str(&tr(l, "texts-list-host"));
    for (id, title, passages) in &list.host {
        out.push_str(&format!(
            "\n- `{id}` **{}**: {}",
            escape(title),
            Msg::new("passages").arg("count", *passages).text(l)
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
