//! Discord rendering: turns a [`Reply`] into serenity builders (embeds, buttons, autocomplete
//! choices). It keeps every message within Discord's limits ([`limits`]): whatever the text,
//! the question or the number of results, nothing it builds exceeds them. Lengths are counted in
//! characters (Unicode code points) as Discord counts them, never bytes. Every message carries an
//! empty `allowed_mentions`, quoted text has its Markdown escaped and cannot form a mention, and
//! matched words are in **bold**.

use serenity::all::ButtonStyle;
use serenity::builder::{
    AutocompleteChoice, CreateActionRow, CreateAllowedMentions, CreateAttachment,
    CreateAutocompleteResponse, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, EditInteractionResponse,
};

use crate::answer::Hit;
use crate::i18n::{Lang, Msg, tr};
use crate::lookup::Toc;
use crate::reply::limits;
use crate::reply::{AnswerReply, Body, ButtonId, Help, QuoteReply, Reply};

/// Embed colour.
const COLOUR: u32 = 0x8B_1E_3F;

/// Our own cap on footers (well under Discord's), so descriptions get the room.
const FOOTER_CAP: usize = 300;

/// The message id of the apology for internal errors (details are in the log).
pub const APOLOGY: &str = "apology";

/// A reply to an interaction (command, button press, autocomplete).
pub fn response(reply: &Reply) -> CreateInteractionResponse {
    if let Body::Choices(choices) = &reply.body {
        return CreateInteractionResponse::Autocomplete(autocomplete(choices));
    }
    let parts = parts(reply);
    let mut m = CreateInteractionResponseMessage::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .embeds(parts.embeds)
        .components(parts.rows);
    if let Some(c) = parts.content {
        m = m.content(c);
    }
    for file in attachments(reply) {
        m = m.add_file(file);
    }
    if reply.update {
        CreateInteractionResponse::UpdateMessage(m)
    } else {
        CreateInteractionResponse::Message(m.ephemeral(reply.private))
    }
}

/// An edit of a reply already sent (a text being added reports each step by editing it).
pub fn edit(reply: &Reply) -> EditInteractionResponse {
    let parts = parts(reply);
    EditInteractionResponse::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .content(parts.content.unwrap_or_default())
        .embeds(parts.embeds)
        .components(parts.rows)
}

/// A reply posted after a deferred one that cannot replace it (a private answer to a button).
pub fn follow_up(reply: &Reply) -> CreateInteractionResponseFollowup {
    let parts = parts(reply);
    let mut m = CreateInteractionResponseFollowup::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .embeds(parts.embeds)
        .components(parts.rows)
        .ephemeral(reply.private);
    if let Some(c) = parts.content {
        m = m.content(c);
    }
    m.add_files(attachments(reply))
}

/// A reply posted to a channel (to a mention or a direct message). Private replies cannot exist
/// outside interactions; the caller decides whether to send one at all.
pub fn message(reply: &Reply) -> CreateMessage {
    let parts = parts(reply);
    let mut m = CreateMessage::new()
        .allowed_mentions(CreateAllowedMentions::new().replied_user(false))
        .embeds(parts.embeds)
        .components(parts.rows);
    if let Some(c) = parts.content {
        m = m.content(c);
    }
    m.add_files(attachments(reply))
}

/// The files a reply carries.
fn attachments(reply: &Reply) -> Vec<CreateAttachment> {
    match &reply.body {
        Body::Files { files, .. } => files
            .iter()
            .map(|(name, bytes)| CreateAttachment::bytes(bytes.clone(), name.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Autocomplete choices: at most 25, names and values within 100 characters (a value that does not
/// fit is dropped rather than cut, as a cut value would not parse).
pub fn autocomplete(choices: &[(String, String)]) -> CreateAutocompleteResponse {
    let choices = choices
        .iter()
        .filter(|(_, v)| !v.is_empty() && v.chars().count() <= limits::CHOICE_VALUE)
        .take(limits::CHOICES)
        .map(|(n, v)| {
            let name = clip(&defuse(n), limits::CHOICE_NAME);
            let name = if name.is_empty() { v.clone() } else { name };
            AutocompleteChoice::new(name, v.clone())
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

struct Parts {
    content: Option<String>,
    embeds: Vec<CreateEmbed>,
    rows: Vec<CreateActionRow>,
}

fn parts(reply: &Reply) -> Parts {
    let l = reply.lang;
    match &reply.body {
        Body::Answer(a) => answer(a, l),
        Body::Quote(q) => quote(q, l),
        Body::Toc(t) => Parts {
            content: None,
            embeds: vec![toc(t, l)],
            rows: Vec::new(),
        },
        Body::Help(h) => Parts {
            content: None,
            embeds: vec![help(h, l)],
            rows: Vec::new(),
        },
        Body::Notice(m) => text_only(&defuse(&m.text(l))),
        Body::Cooldown { seconds } => {
            text_only(&Msg::new("cooldown").arg("seconds", *seconds).text(l))
        }
        Body::Apology => text_only(&tr(l, APOLOGY)),
        Body::Files { text, .. } => text_only(&defuse(&text.text(l))),
        // Its words escape what members typed (titles, file names) themselves, and keep the
        // mentions and timestamps they make (`<@id>`, `<t:…:R>`; allowed mentions are empty).
        Body::Texts(t) => text_only(&crate::render::library::words(t, l, &|s| {
            markdown(s, &[], 200)
        })),
        Body::Choices(_) => text_only(&tr(l, APOLOGY)),
    }
}

fn text_only(text: &str) -> Parts {
    Parts {
        content: Some(clip(text, limits::CONTENT)),
        embeds: Vec::new(),
        rows: Vec::new(),
    }
}

/// One embed, its parts already within their limits and their sum within the message total.
struct Embed {
    title: String,
    description: String,
    footer: String,
}

impl Embed {
    fn build(self) -> CreateEmbed {
        let mut e = CreateEmbed::new().colour(COLOUR);
        if !self.title.is_empty() {
            e = e.title(clip(&self.title, limits::EMBED_TITLE));
        }
        if !self.description.is_empty() {
            e = e.description(clip(&self.description, limits::EMBED_DESCRIPTION));
        }
        if !self.footer.is_empty() {
            e = e.footer(CreateEmbedFooter::new(clip(
                &defuse(&self.footer),
                limits::EMBED_FOOTER,
            )));
        }
        e
    }
}

/// Room left for a description beside a title and a footer.
fn description_room(title: &str, footer: &str) -> usize {
    let used = title.chars().count() + footer.chars().count();
    limits::EMBED_DESCRIPTION.min(limits::EMBED_TOTAL.saturating_sub(used))
}

/// The title of an answer: the question, quoted.
fn answer_title(question: &str) -> String {
    markdown(&format!("“{}”", question.trim()), &[], limits::EMBED_TITLE)
}

/// The question an answer's title shows, read back from the title Discord returns with a button
/// press (so a "More results" button needs no memory of a long question). `None` when the title
/// is not an answer's; when it was cut or changed, the text differs and the caller's hash check
/// rejects it.
pub fn asked_in_title(title: &str) -> Option<String> {
    let mut plain = String::with_capacity(title.len());
    let mut chars = title.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => plain.extend(chars.next()),
            '\u{2060}' => {}
            c => plain.push(c),
        }
    }
    let question = plain.strip_prefix('“')?.strip_suffix('”')?;
    (!question.is_empty()).then(|| question.to_string())
}

fn answer(a: &AnswerReply, l: Lang) -> Parts {
    let title = answer_title(&a.answer.query);
    if a.answer.results.is_empty() {
        let description = if a.offset > 0 {
            tr(l, "answer-no-more")
        } else {
            tr(l, "answer-nothing")
        };
        let embed = Embed {
            title,
            description,
            footer: String::new(),
        };
        let rows = paging_row(a, l).into_iter().collect();
        return Parts {
            content: None,
            embeds: vec![embed.build()],
            rows,
        };
    }
    let hits = &a.answer.results;
    let mut titles: Vec<&str> = Vec::new();
    for h in hits {
        if !titles.contains(&h.doc_title.as_str()) {
            titles.push(&h.doc_title);
        }
    }
    let first = a.offset + 1;
    let last = a.offset + hits.len();
    let range = if last > first {
        format!("{first}–{last}")
    } else {
        first.to_string()
    };
    let footer = clip(
        &Msg::new("answer-footer")
            .arg("titles", titles.join(" · "))
            .arg("range", range)
            .text(l),
        FOOTER_CAP,
    );
    let room = description_room(&title, &footer);
    // Not a confident answer: said first, and the passages are only the nearest ones.
    let mut description = if a.answer.answered {
        String::new()
    } else {
        format!("*{}*", tr(l, "answer-not-sure"))
    };
    // Each result gets an equal share of what is left; a blank line separates them.
    let share = (room.saturating_sub(description.chars().count()) / hits.len()).saturating_sub(2);
    for h in hits {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&hit_text(h, share, l));
    }
    let embed = Embed {
        title,
        description: clip(&description, room),
        footer,
    };
    Parts {
        content: None,
        embeds: vec![embed.build()],
        rows: answer_rows(a, l),
    }
}

/// `**1.** §2 Title ¶3 · `2.3`` and the excerpt as a block quote, within `budget` characters.
fn hit_text(h: &Hit, budget: usize, l: Lang) -> String {
    let short = h.short_ref.replace('`', "'");
    let head_budget = (budget / 3).clamp(1, 300);
    let rank = format!("**{}.** ", h.rank);
    let head = markdown(
        &h.reference,
        &[],
        head_budget.saturating_sub(rank.chars().count() + short.chars().count() + 5),
    );
    let head = format!("{rank}{head} · `{short}`");
    let head = clip(&head, head_budget);
    let room = budget.saturating_sub(head.chars().count() + 1);
    // A short *Notes* line under the quote, when the excerpt shows a note's marker.
    let notes = notes_line(&h.notes, (room / 3).min(300), l);
    let room = room.saturating_sub(notes.chars().count() + 1);
    let quoted = block_quote(&h.excerpt, &h.highlights, room);
    let mut out = if quoted.is_empty() {
        head
    } else {
        format!("{head}\n{quoted}")
    };
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes);
    }
    out
}

/// `*Notes:* [2] The note's text… [3] …` within `budget` characters (empty without notes or room).
fn notes_line(notes: &[crate::lookup::QuotedNote], budget: usize, l: Lang) -> String {
    if notes.is_empty() || budget < 20 {
        return String::new();
    }
    let body: Vec<String> = notes
        .iter()
        .map(|n| {
            let flat = n.text.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("[{}] {flat}", n.label)
        })
        .collect();
    let prefix = format!("*{}* ", tr(l, "notes-label"));
    let text = markdown(
        &body.join(" "),
        &[],
        budget.saturating_sub(prefix.chars().count()),
    );
    format!("{prefix}{text}")
}

fn answer_rows(a: &AnswerReply, l: Lang) -> Vec<CreateActionRow> {
    let paging = paging_row(a, l);
    let hit_rows = limits::ROWS - usize::from(paging.is_some());
    let hits = &a.answer.results;
    // One row per result while they fit, else two results per row.
    let per_row = if hits.len() <= hit_rows { 1 } else { 2 };
    let keyed: Vec<_> = hits.iter().zip(&a.passages).collect();
    let mut rows: Vec<CreateActionRow> = keyed
        .chunks(per_row)
        .take(hit_rows)
        .map(|chunk| {
            let buttons = chunk
                .iter()
                .flat_map(|(h, key)| {
                    let mut b = vec![
                        button(
                            &ButtonId::Full(**key),
                            &Msg::new("button-full")
                                .arg("reference", &h.short_ref)
                                .text(l),
                            ButtonStyle::Secondary,
                        ),
                        button(
                            &ButtonId::Near(**key),
                            &Msg::new("button-around")
                                .arg("reference", &h.short_ref)
                                .text(l),
                            ButtonStyle::Secondary,
                        ),
                    ];
                    // A row of its own has room for the bookmark button too (two results to a
                    // row would need six buttons; there, `/bookmark add` does it).
                    if per_row == 1 {
                        b.push(button(
                            &ButtonId::Mark(**key),
                            &tr(l, "button-bookmark"),
                            ButtonStyle::Secondary,
                        ));
                    }
                    b
                })
                .take(limits::BUTTONS_PER_ROW)
                .collect();
            CreateActionRow::Buttons(buttons)
        })
        .collect();
    rows.extend(paging);
    rows
}

fn paging_row(a: &AnswerReply, l: Lang) -> Option<CreateActionRow> {
    let mut buttons = Vec::new();
    if let Some(first) = &a.first {
        buttons.push(button(
            first,
            &tr(l, "button-first"),
            ButtonStyle::Secondary,
        ));
    }
    if let Some(more) = &a.more {
        buttons.push(button(more, &tr(l, "button-more"), ButtonStyle::Primary));
    }
    (!buttons.is_empty()).then_some(CreateActionRow::Buttons(buttons))
}

fn button(id: &ButtonId, label: &str, style: ButtonStyle) -> CreateButton {
    // Ids are made to fit; one that does not (a bug) would be refused by Discord, so it becomes a
    // disabled button instead.
    let encoded = id.encode();
    let (encoded, disabled) = if encoded.chars().count() <= limits::CUSTOM_ID {
        (encoded, false)
    } else {
        tracing::warn!(id = %encoded, "custom id too long");
        ("too-long".to_string(), true)
    };
    CreateButton::new(encoded)
        .label(clip(&defuse(label), limits::BUTTON_LABEL))
        .style(style)
        .disabled(disabled)
}

fn quote(q: &QuoteReply, l: Lang) -> Parts {
    let quote = &q.quote;
    let title = markdown(&quote.reference, &[], limits::EMBED_TITLE);
    let footer = clip(
        &format!("{} · {}", quote.doc_title, quote.short_ref),
        FOOTER_CAP,
    );
    let room = description_room(&title, &footer);
    let mut description = String::new();
    let several = quote.passages.len() > 1;
    for (i, p) in quote.passages.iter().enumerate() {
        let rest = quote.passages.len() - i;
        // Keep room to say what was left out.
        let reserve = if rest > 1 { 120 } else { 0 };
        let used = description.chars().count();
        let left = room.saturating_sub(used + reserve + 2);
        if left < 40 {
            let first = p.short_ref.replace('`', "'");
            description.push_str(&format!(
                "\n\n*{}*",
                Msg::new("quote-more-not-shown")
                    .arg("count", rest)
                    .arg("reference", first)
                    .text(l)
            ));
            break;
        }
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        let notes = notes_line(&p.notes, (left / 3).min(400), l);
        let left = left.saturating_sub(notes.chars().count() + 1);
        if several {
            let label = format!("**¶{}** ", p.paragraph);
            let body = markdown(&p.text, &[], left.saturating_sub(label.chars().count()));
            description.push_str(&label);
            description.push_str(&body);
        } else {
            description.push_str(&markdown(&p.text, &[], left));
        }
        if !notes.is_empty() {
            description.push('\n');
            description.push_str(&notes);
        }
    }
    let embed = Embed {
        title,
        description: clip(&description, room),
        footer,
    };
    let rows = match &q.nav {
        Some(nav) => {
            let (previous, next) = (tr(l, "button-previous"), tr(l, "button-next"));
            let prev = match &nav.prev {
                Some(r) => button(&ButtonId::Read(*r), &previous, ButtonStyle::Secondary),
                None => CreateButton::new("noop:prev")
                    .label(clip(&previous, limits::BUTTON_LABEL))
                    .style(ButtonStyle::Secondary)
                    .disabled(true),
            };
            let next = match &nav.next {
                Some(r) => button(&ButtonId::Read(*r), &next, ButtonStyle::Primary),
                None => CreateButton::new("noop:next")
                    .label(clip(&next, limits::BUTTON_LABEL))
                    .style(ButtonStyle::Primary)
                    .disabled(true),
            };
            vec![CreateActionRow::Buttons(vec![prev, next])]
        }
        None => Vec::new(),
    };
    Parts {
        content: None,
        embeds: vec![embed.build()],
        rows,
    }
}

fn toc(t: &Toc, l: Lang) -> CreateEmbed {
    let title = tr(l, "toc-title");
    let room = description_room(&title, "");
    let mut description = String::new();
    let mut lines: Vec<String> = Vec::new();
    for d in &t.documents {
        lines.push(format!(
            "**{}** · `{}` · {}",
            markdown(&d.title, &[], 200),
            d.doc_id.replace('`', "'"),
            Msg::new("passages").arg("count", d.passages).text(l)
        ));
        for s in &d.sections {
            let name = match &s.title {
                Some(title) => markdown(title, &[], 150),
                None => format!("*{}*", tr(l, "toc-untitled")),
            };
            lines.push(format!(
                "`{}` {} — {}",
                s.short_ref.replace('`', "'"),
                name,
                Msg::new("passages").arg("count", s.passages).text(l)
            ));
        }
    }
    let total = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let left = total - i;
        let need = line.chars().count() + 1;
        if description.chars().count() + need + 80 > room && left > 1 {
            description.push_str(&Msg::new("toc-more-lines").arg("count", left).text(l));
            break;
        }
        description.push_str(line);
        description.push('\n');
    }
    Embed {
        title,
        description: clip(description.trim_end(), room),
        footer: String::new(),
    }
    .build()
}

fn help(h: &Help, l: Lang) -> CreateEmbed {
    let example = h.example_ref.replace('`', "'");
    let line = |id: &'static str| tr(l, id);
    let mut description = format!(
        "{}\n\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n\n**{}**\n",
        line("help-intro"),
        line("help-ask"),
        Msg::new("help-quote").arg("example", example).text(l),
        line("help-read"),
        line("help-toc"),
        line("help-mention"),
        line("help-find"),
        line("help-bookmark"),
        line("help-settings"),
        line("help-texts-loaded"),
    );
    let room = description_room("cabildo", "");
    let total = h.documents.len();
    for (i, (id, title, passages)) in h.documents.iter().enumerate() {
        let line = format!(
            "• {} (`{}`, {})\n",
            markdown(title, &[], 200),
            id.replace('`', "'"),
            Msg::new("passages").arg("count", *passages).text(l)
        );
        if description.chars().count() + line.chars().count() + 40 > room {
            description.push_str(&Msg::new("help-and-more").arg("count", total - i).text(l));
            break;
        }
        description.push_str(&line);
    }
    Embed {
        title: "cabildo".to_string(),
        description: clip(description.trim_end(), room),
        footer: String::new(),
    }
    .build()
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Breaks anything Discord would read as a mention (`@everyone`, `<@id>`, `<#id>`, `</cmd:id>`):
/// a word joiner (invisible) after every `@` and `<`.
pub fn defuse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        out.push(c);
        if c == '@' || c == '<' {
            out.push('\u{2060}');
        }
    }
    out
}

/// Characters escaped anywhere.
fn always_escaped(c: char) -> bool {
    // `[` and `]` suffice to break masked links; parentheses stay as they are.
    matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '[' | ']')
}

/// The rendering of one source character (escaped, defused).
fn unit(c: char, line_start: bool, out: &mut String) {
    if always_escaped(c) || (line_start && matches!(c, '#' | '-' | '+')) {
        out.push('\\');
        out.push(c);
    } else if c == '@' || c == '<' {
        out.push(c);
        out.push('\u{2060}');
    } else {
        out.push(c);
    }
}

/// Stored text as Discord Markdown within `budget` characters: escaped, no mentions, the
/// `highlights` (character ranges) in bold, `…` when cut. Line breaks become spaces.
pub fn markdown(text: &str, highlights: &[(usize, usize)], budget: usize) -> String {
    render_md(text, highlights, budget, "")
}

/// Like [`markdown`], as a block quote (`> ` before every line).
pub fn block_quote(text: &str, highlights: &[(usize, usize)], budget: usize) -> String {
    if budget < 3 {
        return String::new();
    }
    render_md(text, highlights, budget, "> ")
}

fn render_md(text: &str, highlights: &[(usize, usize)], budget: usize, prefix: &str) -> String {
    // Highlights count characters of `text`; trimming shifts them.
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let chars: Vec<char> = text.trim().chars().collect();
    // Valid, ordered, non-overlapping spans that do not cross a line break.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in highlights {
        let (Some(s), Some(e)) = (s.checked_sub(lead), e.checked_sub(lead)) else {
            continue;
        };
        if s < e
            && e <= chars.len()
            && spans.last().is_none_or(|&(_, pe)| s >= pe)
            && !chars[s..e].iter().any(|&c| c == '\n' || c == '\r')
        {
            match spans.last_mut() {
                // Touching spans become one (`****` would confuse Discord's Markdown).
                Some(last) if last.1 == s => last.1 = e,
                _ => spans.push((s, e)),
            }
        }
    }
    let multi_line = !prefix.is_empty();
    let mut out = String::with_capacity(prefix.len() + text.len() + text.len() / 8 + 16);
    out.push_str(prefix);
    let mut len = prefix.chars().count();
    let mut bold = false;
    let mut span = spans.iter().peekable();
    let mut line_start = true;
    let mut piece = String::new();
    let mut escape_dot: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        piece.clear();
        if bold && span.peek().is_some_and(|&&(_, e)| e == i) {
            piece.push_str("**");
            span.next();
            bold = false;
        }
        let opens = !bold && span.peek().is_some_and(|&&(s, _)| s == i);
        if opens {
            piece.push_str("**");
        }
        if c == '\r' || (multi_line && line_start && c.is_whitespace() && c != '\n') {
            // Dropped (a carriage return, or indentation a block quote would show as code).
        } else if c == '\n' {
            if multi_line {
                piece.push('\n');
                piece.push_str(prefix);
            } else {
                piece.push(' ');
            }
            line_start = true;
        } else {
            // `1. ` at the start of a line would become a numbered list: escape its dot.
            if line_start && c.is_ascii_digit() {
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if chars.get(i + digits) == Some(&'.') {
                    escape_dot = Some(i + digits);
                }
            }
            if escape_dot == Some(i) {
                piece.push_str("\\.");
            } else {
                unit(c, line_start, &mut piece);
            }
            line_start = false;
        }
        let closing = if bold || opens { 2 } else { 0 };
        let piece_len = if piece.is_ascii() {
            piece.len()
        } else {
            piece.chars().count()
        };
        // Room for this piece, a closing `**` and the final `…`.
        let last = i + 1 == chars.len();
        if len + piece_len + closing + usize::from(!last) > budget {
            if bold {
                out.push_str("**");
            }
            out.push('…');
            return trim_cut(out, budget);
        }
        out.push_str(&piece);
        len += piece_len;
        if opens {
            bold = true;
        }
    }
    if bold {
        out.push_str("**");
    }
    trim_cut(out, budget)
}

/// Last resort: never over budget, even for tiny budgets.
fn trim_cut(s: String, budget: usize) -> String {
    if s.chars().count() <= budget {
        s
    } else {
        s.chars().take(budget).collect()
    }
}
