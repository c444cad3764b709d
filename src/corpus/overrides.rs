//! Per-document settings for what detection cannot guess, from front matter at the top of a `.txt`
//! or `.md` file (`---` … `---`) or from a sidecar file `NAME.cabildo.toml` beside `NAME.txt`:
//!
//! ```text
//! ---
//! title: The Constitution
//! numbering: own          # or: sequential
//! heading: Lesson         # lines `Lesson 4`, `LESSON IV. Title` are headings (repeatable)
//! language: es            # the text's language, when detection should not decide
//! ---
//! ```

use serde::Deserialize;

use super::Numbering;
use crate::language::Language;

/// What a document says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub title: Option<String>,
    pub numbering: Option<Numbering>,
    /// Extra division words: a line `WORD NUMERAL [title]` is a heading.
    pub heading: Vec<String>,
    /// The text's language (`es`, `spa`, `Spanish`, `español`), instead of the detected one.
    pub language: Option<Language>,
}

impl Overrides {
    /// `self`, with every value `other` sets taking its place.
    pub fn merged(mut self, other: Overrides) -> Overrides {
        if other.title.is_some() {
            self.title = other.title;
        }
        if other.numbering.is_some() {
            self.numbering = other.numbering;
        }
        self.heading.extend(other.heading);
        if other.language.is_some() {
            self.language = other.language;
        }
        self
    }
}

fn numbering(v: &str) -> Option<Numbering> {
    match v.trim().to_ascii_lowercase().as_str() {
        "own" => Some(Numbering::Own),
        "sequential" => Some(Numbering::Sequential),
        _ => None,
    }
}

fn unquote(v: &str) -> &str {
    let v = v.split(" #").next().unwrap_or(v).trim();
    v.trim_matches(|c| c == '"' || c == '\'').trim()
}

/// Splits YAML-style front matter off the top of a text; the body is returned unchanged when
/// there is none.
pub fn front_matter(text: &str) -> (Overrides, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (Overrides::default(), text);
    };
    let Some(end) = rest.find("\n---") else {
        return (Overrides::default(), text);
    };
    let header = &rest[..end];
    let after = &rest[end + 4..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    let mut o = Overrides::default();
    for line in header.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = unquote(value);
        match key.trim() {
            "title" if !value.is_empty() => o.title = Some(value.to_string()),
            "numbering" => o.numbering = numbering(value),
            "heading" if !value.is_empty() => o.heading.push(value.to_string()),
            "language" | "lang" => o.language = Language::parse(value),
            _ => {}
        }
    }
    (o, body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    title: Option<String>,
    numbering: Option<String>,
    #[serde(default)]
    heading: HeadingList,
    language: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum HeadingList {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

/// Reads a sidecar's TOML (`title`, `numbering = "own" | "sequential"`, `heading = "Lesson"` or a
/// list, `language = "es"`). The error names what is wrong.
pub fn sidecar(toml_text: &str) -> Result<Overrides, String> {
    let s: Sidecar = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    let numbering = match s.numbering.as_deref() {
        None => None,
        Some(v) => Some(
            numbering(v)
                .ok_or_else(|| format!("numbering must be \"own\" or \"sequential\", not {v:?}"))?,
        ),
    };
    let language = match s.language.as_deref() {
        None => None,
        Some(v) => Some(Language::parse(v).ok_or_else(|| {
            format!("language must be a language code or name (\"es\", \"Spanish\"), not {v:?}")
        })?),
    };
    Ok(Overrides {
        language,
        title: s.title.filter(|t| !t.trim().is_empty()),
        numbering,
        heading: match s.heading {
            HeadingList::None => Vec::new(),
            HeadingList::One(h) => vec![h],
            HeadingList::Many(v) => v,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_keys() {
        let (o, body) = front_matter(
            "---\ntitle: \"X\"\nnumbering: own\nheading: Lesson\nlanguage: es\n---\nbody",
        );
        assert_eq!(o.title.as_deref(), Some("X"));
        assert_eq!(o.language, Some(Language::SPANISH));
        assert_eq!(o.numbering, Some(Numbering::Own));
        assert_eq!(o.heading, vec!["Lesson".to_string()]);
        assert_eq!(body, "body");
    }

    #[test]
    fn sidecar_keys_and_errors() {
        let o =
            sidecar("numbering = \"sequential\"\nheading = [\"Lesson\", \"Sura\"]").expect("ok");
        assert_eq!(o.numbering, Some(Numbering::Sequential));
        assert_eq!(o.heading.len(), 2);
        assert!(sidecar("numbering = \"mine\"").is_err());
        assert_eq!(
            sidecar("language = \"es\"").expect("ok").language,
            Some(Language::SPANISH)
        );
        assert!(sidecar("language = \"elvish\"").is_err());
        assert!(sidecar("colour = 1").is_err());
    }
}
