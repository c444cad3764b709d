//! How texts number their own divisions: list and heading markers (`1.`, `4.1`, `A.3.`, `IV.`,
//! `(a)`, `b)`), division words (`Article 5`, `CHAPTER IV`, `Part II`, `BOOK ONE`, `Act I, Scene 2`),
//! and whether the words after a marker read as a title. Pure functions on one line; no I/O.

/// The kind of a marker, so that `2.` follows `1.` but not `a)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `1.`, `1.1.`, `4.1`, `2)`
    Decimal,
    /// `A.`, `A.3.`
    Upper,
    /// `a.`, `b)`
    Lower,
    /// `IV.`, `iv)`
    Roman,
    /// `(a)`, `(1)`, `(iv)`
    Paren,
    /// A division word run into its paragraph: `Section 2. Dues are …`
    Word,
}

/// A marker at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker<'a> {
    /// The number as the text writes it, without closing punctuation: `4.1`, `A.3`, `IV`, `a`.
    pub label: String,
    pub style: Style,
    /// Components of a dotted number (`4.1` → 2); 1 otherwise.
    pub depth: u8,
    /// Whether the marker carried a closing `.` or `)`.
    pub closed: bool,
    /// The rest of the line after the marker and its spaces.
    pub rest: &'a str,
}

/// Parses a list or heading marker at the start of `line` (leading spaces allowed). A bare number
/// without punctuation (`1994 was`) is not a marker.
pub fn marker(line: &str) -> Option<Marker<'_>> {
    let s = line.trim_start();
    let bytes = s.as_bytes();
    let mut i = 0;
    let style;
    let label: String;
    let mut closed = false;
    let mut depth = 1u8;
    if bytes.first() == Some(&b'(') {
        let end = s[1..].find(')')? + 1;
        let inner = &s[1..end];
        let ok = (inner.len() == 1 && inner.bytes().all(|b| b.is_ascii_alphabetic()))
            || (!inner.is_empty() && inner.len() <= 3 && inner.bytes().all(|b| b.is_ascii_digit()))
            || (!inner.is_empty() && inner.len() <= 5 && inner.bytes().all(is_roman_lower));
        if !ok {
            return None;
        }
        style = Style::Paren;
        label = inner.to_string();
        i = end + 1;
        closed = true;
    } else if bytes.first().is_some_and(u8::is_ascii_digit) {
        // 1.  1.1.  4.1  2)
        let mut parts = 0;
        loop {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i - start > 3 {
                return None;
            }
            parts += 1;
            if i < bytes.len() && bytes[i] == b'.' {
                if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    continue;
                }
                i += 1;
                closed = true;
            } else if i < bytes.len() && bytes[i] == b')' && parts == 1 {
                i += 1;
                closed = true;
            }
            break;
        }
        if !closed && parts < 2 {
            return None;
        }
        style = Style::Decimal;
        depth = parts.min(9) as u8;
        label = s[..i].trim_end_matches(['.', ')']).to_string();
    } else {
        // A.  A.3.  IV.  a)  iv.
        let word_end = s
            .bytes()
            .position(|b| !b.is_ascii_alphabetic())
            .unwrap_or(s.len());
        let word = &s[..word_end];
        if word.is_empty() || word.len() > 6 {
            return None;
        }
        let punct = bytes.get(word_end).copied();
        let upper = word.bytes().all(|b| b.is_ascii_uppercase());
        let lower = word.bytes().all(|b| b.is_ascii_lowercase());
        i = word_end;
        if word.len() == 1 && upper && punct == Some(b'.') {
            // `A.` possibly followed by `3.` …
            i += 1;
            let mut parts = 1;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i - start > 3 {
                    return None;
                }
                parts += 1;
                if bytes.get(i) == Some(&b'.') {
                    i += 1;
                } else {
                    break;
                }
            }
            style = if word == "I" || word == "V" || word == "X" {
                Style::Roman
            } else {
                Style::Upper
            };
            depth = parts;
            closed = true;
            label = s[..i].trim_end_matches('.').to_string();
        } else if upper && word.bytes().all(is_roman_upper) && punct == Some(b'.') {
            style = Style::Roman;
            i += 1;
            closed = true;
            label = word.to_string();
        } else if lower && matches!(punct, Some(b'.') | Some(b')')) {
            if word.len() == 1 {
                style = Style::Lower;
            } else if word.bytes().all(is_roman_lower) {
                style = Style::Roman;
            } else {
                return None;
            }
            i += 1;
            closed = true;
            label = word.to_string();
        } else {
            return None;
        }
    }
    let after = &s[i..];
    // The marker must stand apart from what follows.
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some(Marker {
        label,
        style,
        depth,
        closed,
        rest: after.trim(),
    })
}

fn is_roman_upper(b: u8) -> bool {
    matches!(b, b'I' | b'V' | b'X' | b'L' | b'C' | b'D' | b'M')
}

fn is_roman_lower(b: u8) -> bool {
    matches!(b, b'i' | b'v' | b'x' | b'l' | b'c')
}

/// Value of a Roman numeral (either case), if it is one (leniently: `IIII` is 4).
pub(crate) fn roman_value(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in s.chars().rev() {
        let v = match c.to_ascii_uppercase() {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            'D' => 500,
            'M' => 1000,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0).then_some(total)
}

/// True when `next` is the number that follows `prev` in the same style and under the same parent:
/// `1`→`2`, `4.1`→`4.2`, `a`→`b`, `IV`→`V`.
pub fn follows(prev: &str, next: &str) -> bool {
    // `Section 1` → `Section 2`: the same word, then numbers that follow.
    if let (Some((pw, prev)), Some((nw, next))) = (prev.rsplit_once(' '), next.rsplit_once(' ')) {
        return pw.eq_ignore_ascii_case(nw) && follows(prev, next);
    }
    let (pp, pl) = prev.rsplit_once('.').map_or(("", prev), |(a, b)| (a, b));
    let (np, nl) = next.rsplit_once('.').map_or(("", next), |(a, b)| (a, b));
    if pp != np {
        return false;
    }
    if let (Ok(a), Ok(b)) = (pl.parse::<u32>(), nl.parse::<u32>()) {
        return a.checked_add(1) == Some(b);
    }
    if pl.len() == 1 && nl.len() == 1 {
        let (a, b) = (pl.as_bytes()[0], nl.as_bytes()[0]);
        if a.is_ascii_alphabetic() && a.wrapping_add(1) == b {
            return true;
        }
    }
    match (roman_value(pl), roman_value(nl)) {
        (Some(a), Some(b)) => {
            a + 1 == b
                && pl.chars().next().map(|c| c.is_uppercase())
                    == nl.chars().next().map(|c| c.is_uppercase())
        }
        _ => false,
    }
}

/// Words that announce a division, with their rank (1 outermost).
const DIVISIONS: &[(&str, u8)] = &[
    ("part", 1),
    ("book", 1),
    ("volume", 1),
    ("chapter", 2),
    ("canto", 2),
    ("act", 2),
    ("appendix", 2),
    ("exhibit", 2),
    ("annex", 2),
    ("schedule", 2),
    ("section", 3),
    ("article", 3),
    ("scene", 3),
    // the numbered provisions of rules, bylaws and charters
    ("rule", 4),
    ("clause", 4),
    ("regulation", 4),
    ("principle", 4),
    ("amendment", 4),
    ("paragraph", 4),
    ("step", 4),
];

/// Division words of matter added after a text's body, which stands beside its outermost divisions.
const APPENDIX_WORDS: &[&str] = &["appendix", "exhibit", "annex", "schedule"];

/// Whether a division's label (`Appendix A`, `Exhibit 2`) names an appendix.
pub fn is_appendix(label: &str) -> bool {
    label
        .split_once(' ')
        .is_some_and(|(w, _)| APPENDIX_WORDS.iter().any(|a| w.eq_ignore_ascii_case(a)))
}

/// The division word a heading of one word announces a series with (`Appendices` → `Appendix`,
/// `Annexes` → `Annex`), if it is one.
pub fn series_word(title: &str) -> Option<String> {
    let t = title.trim().trim_end_matches(':');
    if t.contains(char::is_whitespace) {
        return None;
    }
    let lower = t.to_lowercase();
    let singular = if let Some(stem) = lower.strip_suffix("ices") {
        format!("{stem}ix")
    } else if let Some(stem) = lower.strip_suffix("es").filter(|s| s.ends_with('x')) {
        stem.to_string()
    } else {
        lower.strip_suffix('s').unwrap_or(&lower).to_string()
    };
    DIVISIONS
        .iter()
        .any(|(w, _)| *w == singular)
        .then(|| capitalise(&singular))
}

/// A cardinal spelled out, as Sphinx's LaTeX prints chapter numbers: `One` → 1 … `Thirty`,
/// compounds with or without a hyphen (`Twenty-three`, `TWENTYTWO`).
pub fn number_word(w: &str) -> Option<u32> {
    let lower = w.to_lowercase();
    let unit = |s: &str| NUMBER_WORDS[..20].iter().position(|x| *x == s);
    if let Some(i) = unit(&lower) {
        return Some(i as u32 + 1);
    }
    for (t, base) in [("twenty", 20), ("thirty", 30)] {
        if let Some(rest) = lower.strip_prefix(t) {
            let rest = rest.trim_start_matches(['-', ' ']);
            if rest.is_empty() {
                return Some(base);
            }
            if let Some(i) = unit(rest).filter(|i| *i < 9) {
                return Some(base + i as u32 + 1);
            }
        }
    }
    None
}

const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "last",
    "final",
];

/// A heading announced by a word: `CHAPTER IV. The Rabbit Sends in a Little Bill`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// How it is cited: `Chapter IV`, `Article 5`, `Act I, Scene 2`, `Book One`.
    pub label: String,
    /// 1 for part/book, 2 for chapter/canto/act, 3 for section/article/scene, 4 for a rule, clause
    /// or step (extra words: 2).
    pub rank: u8,
    /// What follows the number, if anything.
    pub title: Option<String>,
}

/// Recognises `WORD NUMERAL[, Scene N][sep TITLE]` on one line. `extra` are division words a
/// document declares itself (its `heading:` override).
pub fn division(line: &str, extra: &[String]) -> Option<Division> {
    let s = line.trim();
    if s.chars().count() > 100 {
        return None;
    }
    let (label, rank, after) = division_start(s, extra)?;
    let after = after.trim_start();
    let sep = after.starts_with(['.', ':', '—', '–', '-']);
    let title = after
        .trim_start_matches(['.', ':', '—', '–', '-'])
        .trim()
        .trim_end_matches('.')
        .trim();
    if title.is_empty() {
        return Some(Division {
            label,
            rank,
            title: None,
        });
    }
    // `Section 2 of this License applies…` is a sentence, not a heading; so is `Section 1. The
    // name of the union is …` (a full stop after five words or more not in title case).
    let first_lower = title.chars().next().is_some_and(char::is_lowercase);
    if (!sep && first_lower) || !title_like(title) || sentence(after, title) {
        return None;
    }
    Some(Division {
        label,
        rank,
        title: Some(title.to_string()),
    })
}

/// A division word and its numeral at the start of `s`: the label as cited, the word's rank and
/// the rest of the line.
fn division_start<'a>(s: &'a str, extra: &[String]) -> Option<(String, u8, &'a str)> {
    let (word, rest) = s.split_once(char::is_whitespace)?;
    let lower = word.to_lowercase();
    let rank = DIVISIONS
        .iter()
        .find(|(w, _)| *w == lower)
        .map(|(_, r)| *r)
        .or_else(|| extra.iter().any(|e| e.to_lowercase() == lower).then_some(2))?;
    let (num, after) = numeral(rest.trim_start())?;
    let mut label = format!("{} {}", capitalise(&lower), num);
    let mut after = after;
    // Act I, Scene 2
    let t = after.trim_start_matches([',', ' ']);
    if lower == "act"
        && let Some((w, r)) = t.split_once(char::is_whitespace)
        && w.eq_ignore_ascii_case("scene")
        && let Some((n, a)) = numeral(r.trim_start())
    {
        label = format!("{label}, Scene {n}");
        after = a;
    }
    Some((label, rank, after))
}

/// A paragraph that opens with its division's number, run into its first sentence (`Section 2.
/// Dues are one pound a month.`): its label as cited (`Section 2`), when the line is not a heading.
pub fn division_item(line: &str, extra: &[String]) -> Option<String> {
    let s = line.trim();
    let (label, _, after) = division_start(s, extra)?;
    let body = after.trim_start();
    let body = body.strip_prefix(['.', ':', '—', '–'])?.trim_start();
    body.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit() || "\"“(".contains(c))
        .then_some(label)
}

/// Words after a division's number that end in a full stop and read as a sentence rather than a
/// title: five words or more, not in title case. A heading read as a paragraph keeps its reference
/// right; a sentence read as a heading would take the paragraphs after it.
fn sentence(after: &str, title: &str) -> bool {
    after.trim_end().ends_with('.') && title.split_whitespace().count() >= 5 && !title_case(title)
}

/// A numeral after a division word: digits (dotted), a Roman numeral, one letter or a number
/// word. Returns it as cited (Roman numerals upper-cased, words capitalised) and the rest.
fn numeral(s: &str) -> Option<(String, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    let tok = s[..end].trim_end_matches('.');
    let rest = &s[tok.len()..];
    if tok.is_empty() {
        return None;
    }
    let cited = if tok.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if tok.split('.').any(|p| p.is_empty() || p.len() > 4) {
            return None;
        }
        tok.to_string()
    } else if roman_value(tok).is_some() && tok.len() <= 7 {
        if tok.chars().any(|c| c.is_ascii_uppercase())
            && tok.chars().any(|c| c.is_ascii_lowercase())
        {
            return None;
        }
        tok.to_ascii_uppercase()
    } else if tok.len() == 1 && tok.bytes().all(|b| b.is_ascii_alphabetic()) {
        tok.to_ascii_uppercase()
    } else if NUMBER_WORDS.contains(&tok.to_lowercase().as_str()) || number_word(tok).is_some() {
        capitalise(&tok.to_lowercase())
    } else {
        return None;
    };
    Some((cited, rest))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const TRAILING_FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "or", "to", "a", "an", "in", "for", "with", "by", "any", "that", "which",
    "is", "are", "be", "on", "as", "at", "from", "other", "this", "such",
];

/// Whether a line ends on a function word (`… directories, and`, `… the`): a sentence that
/// goes on, not a title.
pub fn ends_mid_sentence(line: &str) -> bool {
    line.split_whitespace().last().is_some_and(|w| {
        let w = w.to_lowercase();
        TRAILING_FUNCTION_WORDS.contains(&w.as_str())
    })
}

/// Words after a marker that read as a title: short, not opening in lower case, no clause
/// punctuation, not ending mid-sentence (`… the`, `… of`).
pub fn title_like(s: &str) -> bool {
    let s = s.trim();
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 10 || s.chars().count() > 80 {
        return false;
    }
    // `& 9.7.3` (after `9.7.2`) names no subject.
    if !s.chars().any(char::is_alphabetic) {
        return false;
    }
    if s.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    if s.contains([';', ',']) || s.contains(". ") || s.ends_with([':', '-', '–', '—']) {
        return false;
    }
    let last = words[words.len() - 1]
        .trim_end_matches(['.', '!', '?'])
        .to_lowercase();
    !TRAILING_FUNCTION_WORDS.contains(&last.as_str())
}

/// A title in title case: every word of four letters or more capitalised (`Grant of Copyright
/// License`), at most eight words. Used where a closing period could also end a sentence.
pub fn title_case(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 8
        && title_like(s)
        && words.iter().all(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            letters < 4
                || w.chars()
                    .find(|c| c.is_alphabetic())
                    .is_some_and(char::is_uppercase)
        })
}

/// A run-in title: `Grant of Copyright License. Subject to …` → `Grant of Copyright License`.
pub fn run_in_title(rest: &str) -> Option<&str> {
    let dot = rest.find(". ")?;
    let head = &rest[..dot];
    let after = rest[dot + 2..].trim_start();
    (dot <= 80
        && title_case(head)
        && after
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '"' || c == '“'))
    .then_some(head)
}

/// `n` in upper-case Roman numerals (`14` → `XIV`).
pub(crate) fn to_roman(mut n: u32) -> String {
    const TABLE: &[(u32, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for &(v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_words() {
        assert_eq!(number_word("THIRTEEN"), Some(13));
        assert_eq!(number_word("Twenty-three"), Some(23));
        assert_eq!(number_word("TWENTYTWO"), Some(22));
        assert_eq!(number_word("thirty"), Some(30));
        assert_eq!(number_word("twentyten"), None);
        assert!(division("CHAPTER TWENTYTWO", &[]).is_some());
    }

    #[test]
    fn markers() {
        let m = marker("  4.1. Powers").expect("4.1.");
        assert_eq!((m.label.as_str(), m.depth, m.rest), ("4.1", 2, "Powers"));
        assert_eq!(marker("4.1 Powers").map(|m| m.label), Some("4.1".into()));
        assert_eq!(marker("A.3. Terms").map(|m| m.label), Some("A.3".into()));
        assert_eq!(marker("IV. Fourth").map(|m| m.style), Some(Style::Roman));
        assert_eq!(marker("(a) that").map(|m| m.label), Some("a".into()));
        assert_eq!(marker("b) item").map(|m| m.style), Some(Style::Lower));
        assert_eq!(
            marker("1. Definitions.").map(|m| m.rest),
            Some("Definitions.")
        );
        assert!(marker("1994 was a year").is_none());
        assert!(marker("3.5million").is_none());
        assert!(marker("Hello. World").is_none());
        assert!(marker("e.g. this").is_none());
    }

    #[test]
    fn sequence() {
        assert!(follows("1", "2"));
        assert!(follows("4.1", "4.2"));
        assert!(!follows("4", "1"));
        assert!(follows("a", "b"));
        assert!(follows("IV", "V"));
        assert!(!follows("4.1", "5"));
        assert!(follows("Section 1", "Section 2"));
        assert!(!follows("Section 1", "Article 2"));
        assert!(!follows("Section 1", "2"));
    }

    #[test]
    fn divisions() {
        let d = division("CHAPTER IV. The Rabbit Sends in a Little Bill", &[]).expect("chapter");
        assert_eq!(d.label, "Chapter IV");
        assert_eq!(
            d.title.as_deref(),
            Some("The Rabbit Sends in a Little Bill")
        );
        assert_eq!(
            division("Article 5", &[]).map(|d| d.label),
            Some("Article 5".into())
        );
        assert_eq!(
            division("BOOK ONE", &[]).map(|d| d.label),
            Some("Book One".into())
        );
        assert_eq!(
            division("Act I, Scene 2", &[]).map(|d| d.label),
            Some("Act I, Scene 2".into())
        );
        assert!(division("Section 2 of this License applies to you", &[]).is_none());
        assert!(division("Section 1. The name of the union is the Hill Union.", &[]).is_none());
        assert_eq!(
            division("Article 2. Purpose of the association.", &[]).and_then(|d| d.title),
            Some("Purpose of the association".into())
        );
        assert_eq!(
            division("ARTICLE 7. AMENDMENTS TO THESE RULES OF THE UNION.", &[]).map(|d| d.label),
            Some("Article 7".into())
        );
        assert!(division("Part of the problem", &[]).is_none());
        assert!(is_appendix("Appendix A") && is_appendix("EXHIBIT 2"));
        assert!(!is_appendix("Article 5") && !is_appendix("Appendix"));
        // the provisions of rules and charters, inside sections and articles
        let rule = division("Rule 3: Tournaments", &[]);
        assert_eq!(
            rule.as_ref().map(|d| (d.label.as_str(), d.rank)),
            Some(("Rule 3", 4))
        );
        assert_eq!(
            division_item("Clause 1. Entry is open to every member.", &[]),
            Some("Clause 1".into())
        );
        assert!(division("Rule of thumb", &[]).is_none());
        assert!(division_item("Step 2 is to wait.", &[]).is_none());
        assert_eq!(
            division_item("Section 2. Dues are one pound a month.", &[]),
            Some("Section 2".into())
        );
        assert_eq!(
            division_item("Section 2 of this License applies", &[]),
            None
        );
        assert_eq!(division_item("Article 3. see below", &[]), None);
    }
}
