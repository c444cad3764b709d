//! Human-readable output for the terminal: quoted excerpts with references, matched words in bold
//! when writing to a terminal.

use std::fmt::Write;

use crate::answer::{Answer, Hit};
use crate::eval::Metrics;
use crate::i18n::{Lang, Msg, tr};
use crate::lookup::{Quote, Toc};

/// Terminal styling on or off, and the language of cabildo's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub lang: Lang,
}

impl Style {
    /// No colours, English.
    pub fn plain() -> Style {
        Style {
            color: false,
            lang: Lang::En,
        }
    }
}

impl Style {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[22m")
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[22m")
        } else {
            s.to_string()
        }
    }
    fn mark(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1;33m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// An answer: each result's reference, then its excerpt quoted (after a warning when cabildo is
/// not confident they answer it).
pub fn answer(a: &Answer, style: Style) -> String {
    let mut out = String::new();
    if !a.answered {
        if a.results.is_empty() {
            let _ = writeln!(out, "{}", tr(style.lang, "cli-answer-nothing"));
            return out;
        }
        let _ = writeln!(out, "{}\n", tr(style.lang, "cli-answer-not-sure"));
    }
    for hit in &a.results {
        let _ = writeln!(
            out,
            "{}. {}  {}",
            hit.rank,
            style.bold(&hit.reference),
            style.dim(&format!("({})", hit.short_ref))
        );
        // Lines of verse stay lines, indented under the reference.
        let (open, close) = quote_marks(&hit.excerpt);
        let quoted = format!("{open}{}{close}", highlighted(hit, style)).replace('\n', "\n   ");
        let _ = writeln!(out, "   {quoted}");
        for n in &hit.notes {
            let _ = writeln!(out, "   {}", style.dim(&note_line(n)));
        }
        if let Some(ex) = &hit.explain {
            let lexical = format!(
                "(bm25 {:.3} + proximity {:.3}) × coverage² (coverage {:.2}, confidence {:.2})",
                ex.bm25, ex.proximity, ex.coverage, ex.confidence
            );
            let _ = match ex.cosine {
                // With a model the score is the fused one, not the lexical formula's.
                Some(cosine) => writeln!(
                    out,
                    "   fused score {:.3} from lexical {:.3} = {lexical}\n   and dense cosine {cosine:.3}",
                    hit.score,
                    (ex.bm25 + ex.proximity) * ex.coverage * ex.coverage,
                ),
                None => writeln!(out, "   score {:.3} = {lexical}", hit.score),
            };
            for t in &ex.terms {
                let fields = if t.fields.is_empty() {
                    "-".to_string()
                } else {
                    t.fields.join("+")
                };
                let corrected = t
                    .corrected_from
                    .as_ref()
                    .map(|c| format!(" (typed “{c}”)"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "     {:<16} → {:<14} idf {:>5.2} × w {:.1}  in {}{}",
                    t.typed, t.analysed, t.idf, t.weight, fields, corrected
                );
            }
        }
        out.push('\n');
    }
    if out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The marks put around a quoted excerpt: “ ”, or none when the text opens with a quotation mark
/// of its own (after a leading `…`), so the reader sees the text's own mark once, not `““`.
fn quote_marks(excerpt: &str) -> (&'static str, &'static str) {
    let opens_quoted = excerpt
        .trim_start_matches('…')
        .trim_start()
        .starts_with(['“', '"', '«', '‘', '\'', '„', '‹', '「', '『']);
    if opens_quoted {
        ("", "")
    } else {
        ("“", "”")
    }
}

fn highlighted(hit: &Hit, style: Style) -> String {
    let chars: Vec<char> = hit.excerpt.chars().collect();
    let mut out = String::with_capacity(hit.excerpt.len() + 16);
    let mut at = 0;
    for &(s, e) in &hit.highlights {
        if s < at || e > chars.len() || s > e {
            continue;
        }
        out.extend(&chars[at..s]);
        out.push_str(&style.mark(&chars[s..e].iter().collect::<String>()));
        at = e;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
}

/// Quoted passages, each under its reference.
pub fn quote(q: &Quote, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}",
        style.bold(&q.reference),
        style.dim(&format!("({})", q.short_ref))
    );
    let _ = writeln!(out, "{}", style.dim(&q.doc_title));
    for p in &q.passages {
        out.push('\n');
        if q.passages.len() > 1 {
            let _ = writeln!(out, "{}", style.dim(&format!("¶{}", p.paragraph)));
        }
        let _ = writeln!(out, "{}", p.text);
        for n in &p.notes {
            let _ = writeln!(out, "{}", style.dim(&note_line(n)));
        }
        if let Some(page) = &p.page {
            let page = Msg::new("page-label")
                .arg("page", page.clone())
                .text(style.lang);
            let _ = writeln!(out, "{}", style.dim(&format!("({page})")));
        }
    }
    out
}

/// `[2] The note's text…` on one line.
fn note_line(n: &crate::lookup::QuotedNote) -> String {
    let flat = n.text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("[{}] {flat}", n.label)
}

/// Each text's title, id, language and passage count, then its sections with numbers and passage
/// counts.
pub fn toc(t: &Toc, style: Style) -> String {
    let mut out = String::new();
    for d in &t.documents {
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold(&d.title),
            style.dim(&format!(
                "({}, {}, {})",
                d.doc_id,
                d.language.named().text(style.lang),
                Msg::new("passages")
                    .arg("count", d.passages)
                    .text(style.lang)
            ))
        );
        for s in &d.sections {
            let untitled = if s.section == 1 {
                tr(style.lang, "cli-untitled-opening")
            } else {
                tr(style.lang, "cli-untitled")
            };
            let title = match s.title.as_deref() {
                // `John 11` is both the label and the title: say it once.
                Some(t) if s.label.as_deref() == Some(t) => "",
                Some(t) => t,
                None => &untitled,
            };
            // Sequential documents: `§3`; own numbering: the short reference, indented by depth.
            let number = match &s.label {
                None if !s.short_ref.contains('#') => format!(
                    "{}§{:<4}",
                    "  ".repeat(usize::from(s.depth.min(6))),
                    s.section
                ),
                _ => format!(
                    "{}{:<5}",
                    "  ".repeat(usize::from(s.depth.min(6))),
                    s.short_ref
                        .strip_prefix(&format!("{}:", d.doc_id))
                        .unwrap_or(&s.short_ref)
                ),
            };
            let _ = writeln!(
                out,
                "  {} {}  {}",
                number,
                title,
                style.dim(
                    &Msg::new("passages")
                        .arg("count", s.passages)
                        .text(style.lang)
                )
            );
        }
    }
    out
}

/// Quality metrics of an eval run.
pub fn metrics(m: &Metrics, label: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{label}: {} answerable questions", m.questions);
    let _ = writeln!(
        out,
        "  hit@1 {:.3}  hit@3 {:.3}  hit@5 {:.3}  MRR@10 {:.3}  excerpt_hit@3 {:.3}",
        m.hit1, m.hit3, m.hit5, m.mrr10, m.excerpt_hit3
    );
    let _ = writeln!(
        out,
        "  abstained on unanswerable: {}  false abstentions: {}",
        m.abstain_ok, m.false_abstain
    );
    if !m.misses.is_empty() {
        let _ = writeln!(out, "  misses (no hit in top 10): {}", m.misses.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote_marks;

    #[test]
    fn a_text_that_opens_with_its_own_quotation_mark_gets_no_second_one() {
        assert_eq!(quote_marks("“Haul away,” they sang."), ("", ""));
        assert_eq!(quote_marks("…\"Haul away\""), ("", ""));
        assert_eq!(quote_marks("« Tout le pouvoir »"), ("", ""));
        assert_eq!(quote_marks("They sang “Haul away”."), ("“", "”"));
        assert_eq!(quote_marks(""), ("“", "”"));
    }
}
