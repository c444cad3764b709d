//! Plain-text traditions that mark their own headings, so that nothing needs guessing: GNU Info
//! (nodes between `\x1f` separators, headings underlined with `*`, `=`, `-`, `.`; the header, node
//! lines, menus and the tag table are navigation, not text), Emacs outline files such as GNU
//! `NEWS` (`-*- outline -*-`; `* Noteworthy changes in release 3.8`, `** Bug fixes`), Debian
//! changelogs (each entry opens `pkg (1.2-1) unstable; urgency=medium`) and man pages rendered to
//! text (a `XZ(1)  XZ Utils  XZ(1)` header; section names in capitals at column 0, subsections at
//! column 3). [`read`] recognises the tradition from the text and says, line by line, what each
//! line is; the plain-text reader then takes those headings, and only those, as sections.

/// What one line of a text is, in its tradition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Body text (or a blank line).
    Text,
    /// Not part of the text: navigation, a page header, an underline, the title line.
    Skip,
    /// A heading the tradition marks.
    Heading(Heading),
}

/// A marked heading: the text's own number for it (a changelog's version, an Info chapter's
/// `1.2`), its title without the number, as written (without its marks), and its depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub label: Option<String>,
    pub title: Option<String>,
    pub text: String,
    pub level: u8,
}

/// A text read in its tradition: its title (when the tradition says where it is) and one
/// [`Kind`] for every line of `text.split('\n')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marks {
    pub tradition: &'static str,
    pub title: Option<String>,
    pub kinds: Vec<Kind>,
}

/// The tradition `text` is written in, if it is one of those above, with its lines marked.
pub(crate) fn read(text: &str) -> Option<Marks> {
    let lines: Vec<&str> = text.split('\n').collect();
    info(&lines)
        .or_else(|| outline(&lines))
        .or_else(|| changelog(&lines))
        .or_else(|| man(&lines))
}

/// `1 Overview` → (`1`, `Overview`); `A.2 Syntax` and `Appendix A Licence` → (`A.2` / `A`, …).
fn split_number(text: &str) -> (Option<String>, Option<String>) {
    let body = text.strip_prefix("Appendix ").unwrap_or(text);
    if let Some((first, rest)) = body.split_once(' ') {
        let first = first.trim_end_matches('.');
        let mut parts = first.split('.');
        let lead = parts.next().unwrap_or("");
        let lead_ok =
            (!lead.is_empty() && lead.len() <= 3 && lead.bytes().all(|b| b.is_ascii_digit()))
                || (lead.len() == 1 && lead.bytes().all(|b| b.is_ascii_uppercase()));
        let rest_ok =
            parts.all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
        let rest = rest.trim();
        if lead_ok && rest_ok && !rest.is_empty() {
            return (Some(first.to_string()), Some(rest.to_string()));
        }
    }
    (None, Some(text.to_string()))
}

fn heading(label: Option<String>, title: Option<String>, text: &str, level: u8) -> Kind {
    Kind::Heading(Heading {
        label,
        title,
        text: text.trim().to_string(),
        level,
    })
}

/// GNU Info: a `File: …  Node: …` line after a `\x1f` separator.
fn info(lines: &[&str]) -> Option<Marks> {
    let is_sep =
        |l: &str| l.starts_with('\x1f') && l.trim_start_matches(['\x1f', '\x0c']).trim().is_empty();
    let found = lines
        .windows(2)
        .any(|w| is_sep(w[0]) && w[1].starts_with("File: ") && w[1].contains("Node: "));
    if !found {
        return None;
    }
    #[derive(PartialEq)]
    enum State {
        Header,
        Node,
        Menu,
        Navigation,
    }
    let mut state = State::Header;
    let mut in_top = false;
    let mut title = None;
    let mut kinds = vec![Kind::Text; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_sep(line) {
            kinds[i] = Kind::Skip;
            let next = lines.get(i + 1).copied().unwrap_or("");
            if next.starts_with("File: ") && next.contains("Node: ") {
                kinds[i + 1] = Kind::Skip;
                in_top = next.split(",").any(|f| f.trim() == "Node: Top");
                state = State::Node;
                i += 2;
            } else {
                // `Tag Table:`, `Indirect:`, `Local Variables:`: bookkeeping to the end.
                state = State::Navigation;
                i += 1;
            }
            continue;
        }
        match state {
            State::Header | State::Menu | State::Navigation => kinds[i] = Kind::Skip,
            State::Node if line.starts_with("* Menu:") => {
                kinds[i] = Kind::Skip;
                state = State::Menu;
            }
            State::Node if line.trim() == "---------- Footnotes ----------" => {
                kinds[i] = Kind::Skip
            }
            State::Node => {
                let under = lines.get(i + 1).copied().unwrap_or("");
                let level = underline_level(line, under);
                if let Some(level) = level {
                    kinds[i + 1] = Kind::Skip;
                    if in_top && title.is_none() {
                        title = Some(line.trim().to_string());
                        kinds[i] = Kind::Skip;
                    } else {
                        let (label, t) = split_number(line.trim());
                        kinds[i] = heading(label, t, line, level);
                    }
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    Some(Marks {
        tradition: "Info",
        title,
        kinds,
    })
}

/// Info's underlines: `*` a chapter, `=` a section, `-` a subsection, `.` below; as long as the
/// heading.
fn underline_level(line: &str, under: &str) -> Option<u8> {
    let text = line.trim();
    let under = under.trim_end();
    let first = under.chars().next()?;
    let level = match first {
        '*' => 1,
        '=' => 2,
        '-' => 3,
        '.' => 4,
        _ => return None,
    };
    let n = under.chars().count();
    let ok = !text.is_empty()
        && !line.starts_with(' ')
        && under.chars().all(|c| c == first)
        && n == line.trim_end().chars().count();
    ok.then_some(level)
}

/// An Emacs outline file (`-*- outline -*-` or `-*- org -*-` on the first line): lines opening
/// with stars at column 0, standing alone, are headings as deep as their stars.
fn outline(lines: &[&str]) -> Option<Marks> {
    let first_at = lines.iter().position(|l| !l.trim().is_empty())?;
    let first = lines[first_at];
    let (before, mode) = first.split_once("-*-")?;
    let mode = mode.to_ascii_lowercase();
    if !(mode.contains("outline") || mode.contains("org")) {
        return None;
    }
    let mut kinds = vec![Kind::Text; lines.len()];
    kinds[first_at] = Kind::Skip;
    let title = Some(before.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let stars = |l: &str| {
        let n = l.bytes().take_while(|&b| b == b'*').count();
        (n > 0 && l[n..].starts_with(' ')).then_some(n)
    };
    let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
    for (i, line) in lines.iter().enumerate().skip(first_at + 1) {
        let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
        let text = line.trim();
        let short = !text.is_empty() && text.chars().count() <= 100;
        if let Some(n) = stars(line) {
            // A heading stands alone over an indented body or deeper headings; a bullet of the
            // older style (`* New diff3 option --strip-trailing-cr.`) does not.
            let text = line[n..].trim();
            let over_body =
                next.is_none_or(|l| l.starts_with([' ', '\t']) || stars(l).is_some_and(|m| m > n));
            let sentence_end = text.ends_with(['.', ':', ',', ';']);
            if blank(i + 1) && over_body && short && !sentence_end {
                kinds[i] = heading(None, Some(text.to_string()), text, n.min(6) as u8);
            }
        } else if !line.starts_with([' ', '\t'])
            && text.ends_with(':')
            && short
            && blank(i.wrapping_sub(1))
            && blank(i + 1)
            && next.is_some_and(|l| stars(l).is_some())
        {
            // The older GNU style inside the same file: `User-visible changes in version 2.8:`
            // over its `*` bullets.
            let title = text.trim_end_matches(':').trim_end();
            kinds[i] = heading(None, Some(title.to_string()), text, 1);
        }
    }
    Some(Marks {
        tradition: "outline",
        title,
        kinds,
    })
}

/// `pkg (version) distribution; urgency=…`: the package and the version.
fn changelog_entry(line: &str) -> Option<(&str, &str)> {
    let (package, rest) = line.split_once(" (")?;
    let (version, rest) = rest.split_once(") ")?;
    let package_ok = !package.is_empty()
        && package
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b));
    let version_ok = !version.is_empty() && !version.contains(char::is_whitespace);
    (package_ok && version_ok && rest.contains(';') && rest.contains("urgency="))
        .then_some((package, version))
}

/// A Debian changelog: entries are sections labelled with their version; the package is the
/// title.
fn changelog(lines: &[&str]) -> Option<Marks> {
    let first_at = lines.iter().position(|l| !l.trim().is_empty())?;
    let (package, _) = changelog_entry(lines[first_at])?;
    if !lines.iter().any(|l| l.starts_with(" -- ")) {
        return None;
    }
    let kinds = lines
        .iter()
        .map(|l| match changelog_entry(l) {
            Some((_, version)) => heading(Some(version.to_string()), None, l, 1),
            None => Kind::Text,
        })
        .collect();
    Some(Marks {
        tradition: "changelog",
        title: Some(package.to_string()),
        kinds,
    })
}

/// `XZ(1)` → (`XZ`, `1`).
fn man_ref(word: &str) -> Option<(&str, &str)> {
    let (name, rest) = word.split_once('(')?;
    let section = rest.strip_suffix(')')?;
    let ok = !name.is_empty()
        && section.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && section.len() <= 4
        && section.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some((name, section))
}

/// A man page rendered to text: the first line is `NAME(s)  …  NAME(s)`; the same line, and the
/// footer ending `NAME(s)`, repeat at page breaks. Section names are in capitals at column 0;
/// subsections stand alone at column 3 over a deeper body.
fn man(lines: &[&str]) -> Option<Marks> {
    let first_at = lines.iter().position(|l| !l.trim().is_empty())?;
    let header = lines[first_at].trim();
    let words: Vec<&str> = header.split_whitespace().collect();
    let (first, last) = (words.first()?, words.last()?);
    if words.len() < 2 || first != last || !header.contains("  ") {
        return None;
    }
    let (name, section) = man_ref(first)?;
    let mut kinds = vec![Kind::Text; lines.len()];
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        let text = line.trim();
        let indent = line.len() - line.trim_start().len();
        if text.is_empty() {
            continue;
        }
        let footer = indent == 0 && text != header && text.ends_with(*first) && text.contains("  ");
        if text == header || footer {
            kinds[i] = Kind::Skip;
            continue;
        }
        let short = text.chars().count() <= 60;
        let next_indent = lines[i + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len());
        if indent == 0
            && short
            && text.chars().any(char::is_alphabetic)
            && !text.chars().any(char::is_lowercase)
        {
            kinds[i] = heading(None, Some(text.to_string()), text, 1);
        } else if indent == 3
            && short
            && !text.ends_with(['.', ',', ';'])
            && next_indent.is_some_and(|n| n > 3)
            && lines.get(i + 1).is_some_and(|l| !l.trim().is_empty())
        {
            let title = text.trim_end_matches(':').trim_end();
            kinds[i] = heading(None, Some(title.to_string()), text, 2);
        }
    }
    Some(Marks {
        tradition: "man page",
        title: Some(format!("{name}({section})")),
        kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(m: &Marks) -> Vec<(Option<String>, Option<String>, u8)> {
        m.kinds
            .iter()
            .filter_map(|k| match k {
                Kind::Heading(h) => Some((h.label.clone(), h.title.clone(), h.level)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn info_nodes_keep_their_headings_and_lose_their_navigation() {
        let text = "This is x.info, produced by makeinfo.\n\n\x1f\nFile: x.info,  Node: Top,  Next: A\n\nThe X manual\n************\n\nIntro.\n\n* Menu:\n\n* A::   First.\n\n\x1f\nFile: x.info,  Node: A,  Prev: Top\n\n1 First chapter\n***************\n\nBody.\n\n1.1 A section\n=============\n\nMore.\n\n\x1f\nTag Table:\nNode: Top\x7f40\n\x1f\nEnd Tag Table\n";
        let m = read(text).expect("Info");
        assert_eq!(m.title.as_deref(), Some("The X manual"));
        assert_eq!(
            headings(&m),
            vec![
                (Some("1".into()), Some("First chapter".into()), 1),
                (Some("1.1".into()), Some("A section".into()), 2),
            ]
        );
        let kept: Vec<&str> = text
            .split('\n')
            .zip(&m.kinds)
            .filter(|(l, k)| **k == Kind::Text && !l.trim().is_empty())
            .map(|(l, _)| l)
            .collect();
        assert_eq!(kept, vec!["Intro.", "Body.", "More."]);
    }

    #[test]
    fn outline_stars_are_headings_but_bullets_are_not() {
        let text = "GNU x NEWS    -*- outline -*-\n\n* Changes in release 2\n\n** Bug fixes\n\n  Fixed.\n\nChanges in version 1:\n\n* New option --y.\n\n* Option --z\n\nChanges in version 0:\n\n* First.\n";
        let m = read(text).expect("outline");
        assert_eq!(m.title.as_deref(), Some("GNU x NEWS"));
        assert_eq!(
            headings(&m),
            vec![
                (None, Some("Changes in release 2".into()), 1),
                (None, Some("Bug fixes".into()), 2),
                (None, Some("Changes in version 1".into()), 1),
                (None, Some("Changes in version 0".into()), 1),
            ]
        );
    }

    #[test]
    fn changelog_entries_are_sections_labelled_by_version() {
        let text = "pkg (1.1) unstable; urgency=medium\n\n  * Fix.\n\n -- A <a@b>  Mon, 1 Jan 2024 00:00:00 +0000\n\npkg (1.0) unstable; urgency=low\n\n  * First.\n\n -- A <a@b>  Mon, 1 Jan 2023 00:00:00 +0000\n";
        let m = read(text).expect("changelog");
        assert_eq!(m.title.as_deref(), Some("pkg"));
        assert_eq!(
            headings(&m),
            vec![(Some("1.1".into()), None, 1), (Some("1.0".into()), None, 1)]
        );
        assert!(read("pkg (1.1) unstable; urgency=medium\n\n  * no trailer\n").is_none());
    }

    #[test]
    fn man_page_sections_and_subsections() {
        let text = "LS(1)        User Commands        LS(1)\n\nNAME\n       ls - list\n\nDESCRIPTION\n       List.\n\n   Exit status:\n       0 if OK.\n\nGNU coreutils 9.1      September 2022      LS(1)\n";
        let m = read(text).expect("man page");
        assert_eq!(m.title.as_deref(), Some("LS(1)"));
        assert_eq!(
            headings(&m),
            vec![
                (None, Some("NAME".into()), 1),
                (None, Some("DESCRIPTION".into()), 1),
                (None, Some("Exit status".into()), 2),
            ]
        );
        assert_eq!(m.kinds[m.kinds.len() - 2], Kind::Skip, "footer");
        assert!(read("Plain text (1) with  spaces (1)\n\nBody.\n").is_none());
    }
}
