//! Languages: every document has one, which decides how its words are analysed (stemmer, stop
//! words, the rules of that language) and how a question is analysed against it.
//!
//! A document's language is detected from its own text with [`whatlang`] (trigram statistics,
//! 70 languages), by a vote of its passages weighed by their length, unless the text says which it
//! is (front matter `language: es`, a sidecar's `language = "es"`). Codes are ISO 639-1 where
//! there is one (`en`, `es`), else ISO 639-3; [`Language::UNDETERMINED`] (`und`) is a text with no
//! words to tell.

use std::fmt;

/// A language, by its place in whatlang's list (or undetermined).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(u8);

/// whatlang's ISO 639-3 codes with their ISO 639-1 codes (all of whatlang's languages have one).
const CODES: &[(&str, &str)] = &[
    ("afr", "af"),
    ("aka", "ak"),
    ("amh", "am"),
    ("ara", "ar"),
    ("aze", "az"),
    ("bel", "be"),
    ("ben", "bn"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("cmn", "zh"),
    ("cym", "cy"),
    ("dan", "da"),
    ("deu", "de"),
    ("ell", "el"),
    ("eng", "en"),
    ("epo", "eo"),
    ("est", "et"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("guj", "gu"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("hye", "hy"),
    ("ind", "id"),
    ("ita", "it"),
    ("jav", "jv"),
    ("jpn", "ja"),
    ("kan", "kn"),
    ("kat", "ka"),
    ("khm", "km"),
    ("kor", "ko"),
    ("lat", "la"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("mal", "ml"),
    ("mar", "mr"),
    ("mkd", "mk"),
    ("mya", "my"),
    ("nep", "ne"),
    ("nld", "nl"),
    ("nob", "nb"),
    ("ori", "or"),
    ("pan", "pa"),
    ("pes", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rus", "ru"),
    ("sin", "si"),
    ("slk", "sk"),
    ("slv", "sl"),
    ("sna", "sn"),
    ("spa", "es"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tam", "ta"),
    ("tel", "te"),
    ("tgl", "tl"),
    ("tha", "th"),
    ("tuk", "tk"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("uzb", "uz"),
    ("vie", "vi"),
    ("yid", "yi"),
    ("zul", "zu"),
];

const UND: u8 = u8::MAX;

impl Language {
    pub const ENGLISH: Language = Language::of(whatlang::Lang::Eng);
    pub const SPANISH: Language = Language::of(whatlang::Lang::Spa);
    /// No language could be told (no words, or none a detector knows).
    pub const UNDETERMINED: Language = Language(UND);

    const fn of(lang: whatlang::Lang) -> Language {
        Language(lang as u8)
    }

    fn lang(self) -> Option<whatlang::Lang> {
        whatlang::Lang::all()
            .iter()
            .copied()
            .find(|l| *l as u8 == self.0)
    }

    /// ISO 639-1 code (`en`, `es`), ISO 639-3 for a language without one, `und` when undetermined.
    pub fn code(self) -> &'static str {
        let Some(lang) = self.lang() else {
            return "und";
        };
        let three = lang.code();
        CODES
            .iter()
            .find(|(t, _)| *t == three)
            .map_or(three, |(_, two)| *two)
    }

    /// The language's name in English (`Spanish`), `undetermined` when undetermined.
    pub fn name(self) -> &'static str {
        self.lang().map_or("undetermined", |l| l.eng_name())
    }

    /// The language's name in the reader's words (`Spanish`, `español`): the message
    /// `language-name` of the bot's Fluent bundles.
    pub fn named(self) -> crate::i18n::Msg {
        crate::i18n::Msg::new("language-name")
            .arg("code", self.code())
            .arg("name", self.name())
    }

    /// Reads a language as people write it: an ISO 639-1 or 639-3 code (`es`, `spa`), or its name
    /// in English or in the language itself (`Spanish`, `español`), in any case. `und` (or an
    /// empty string) is [`Language::UNDETERMINED`]; anything else is `None`.
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim().to_lowercase();
        if s.is_empty() || s == "und" {
            return Some(Language::UNDETERMINED);
        }
        // A region or script tag (`es-MX`, `en_GB`) names the same language.
        let base = s.split(['-', '_']).next().unwrap_or(&s);
        let three = CODES
            .iter()
            .find(|(t, two)| *t == base || *two == base)
            .map(|(t, _)| *t);
        whatlang::Lang::all()
            .iter()
            .copied()
            .find(|l| {
                Some(l.code()) == three
                    || l.eng_name().to_lowercase() == s
                    || l.name().to_lowercase() == s
            })
            .map(Language::of)
    }

    /// Whether a language was told.
    pub fn is_determined(self) -> bool {
        self.0 != UND
    }

    /// The Snowball stemmer for the language, if Snowball has one.
    pub fn stemmer(self) -> Option<frostem::Algorithm> {
        use frostem::Algorithm as A;
        use whatlang::Lang as L;
        Some(match self.lang()? {
            L::Eng => A::English,
            L::Spa => A::Spanish,
            L::Ara => A::Arabic,
            L::Hye => A::Armenian,
            L::Cat => A::Catalan,
            L::Ces => A::Czech,
            L::Dan => A::Danish,
            L::Nld => A::Dutch,
            L::Epo => A::Esperanto,
            L::Est => A::Estonian,
            L::Fin => A::Finnish,
            L::Fra => A::French,
            L::Deu => A::German,
            L::Ell => A::Greek,
            L::Hin => A::Hindi,
            L::Hun => A::Hungarian,
            L::Ind => A::Indonesian,
            L::Ita => A::Italian,
            L::Lit => A::Lithuanian,
            L::Nep => A::Nepali,
            L::Nob => A::Norwegian,
            L::Pes => A::Persian,
            L::Pol => A::Polish,
            L::Por => A::Portuguese,
            L::Ron => A::Romanian,
            L::Rus => A::Russian,
            L::Srp => A::Serbian,
            L::Swe => A::Swedish,
            L::Tam => A::Tamil,
            L::Tur => A::Turkish,
            L::Yid => A::Yiddish,
            _ => return None,
        })
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::UNDETERMINED
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Passages of fewer words than this do not vote (headings, list labels, code).
const MIN_VOTING_WORDS: usize = 8;
/// Below this many words in voting passages, a text is too short for trigram statistics.
const MIN_TEXT_WORDS: usize = 40;
/// At most this many characters of a document are read to tell its language.
const MAX_SAMPLE_CHARS: usize = 200_000;

/// The commonest function words of the languages whatlang confuses most on a few words (it reads
/// "The workers met. Dual power." as Afrikaans): a short text is told by them.
const FUNCTION_WORDS: &[(whatlang::Lang, &[&str])] = &[
    (
        whatlang::Lang::Eng,
        &[
            "the", "and", "of", "to", "in", "is", "that", "it", "for", "was", "with", "as", "on",
            "are", "this", "which", "or", "from", "by", "be", "not", "have", "they", "their",
        ],
    ),
    (
        whatlang::Lang::Spa,
        &[
            "el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "por", "con",
            "para", "es", "se", "su", "al", "lo", "como", "pero", "más", "sus", "este", "esta",
        ],
    ),
    (
        whatlang::Lang::Por,
        &[
            "o", "os", "as", "da", "do", "das", "dos", "não", "uma", "em", "com", "para", "que",
            "é", "ao", "pelo", "pela", "mais", "seu", "sua",
        ],
    ),
    (
        whatlang::Lang::Fra,
        &[
            "le", "la", "les", "des", "du", "et", "est", "un", "une", "dans", "pour", "que", "qui",
            "pas", "sur", "au", "aux", "avec", "ce", "sont",
        ],
    ),
    (
        whatlang::Lang::Ita,
        &[
            "il", "lo", "gli", "le", "di", "della", "che", "e", "è", "un", "una", "per", "con",
            "non", "sono", "del", "nel", "alla", "dei",
        ],
    ),
    (
        whatlang::Lang::Deu,
        &[
            "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "von",
            "sich", "auf", "für", "dem", "des", "im", "sind",
        ],
    ),
];

/// The language of a short text by its function words ([`FUNCTION_WORDS`]), when one language
/// has more of them than any other.
fn by_function_words(text: &str) -> Option<whatlang::Lang> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut counts: Vec<(whatlang::Lang, usize)> = FUNCTION_WORDS
        .iter()
        .map(|(lang, list)| {
            let n = words.iter().filter(|w| list.contains(&w.as_str())).count();
            (*lang, n)
        })
        .collect();
    counts.sort_by_key(|b| std::cmp::Reverse(b.1));
    match counts.as_slice() {
        [(lang, n), (_, m), ..] if *n > *m => Some(*lang),
        _ => None,
    }
}

/// The language of a text given as its passages: each passage of at least
/// [`MIN_VOTING_WORDS`] words votes for its language with its length in words times whatlang's
/// confidence; the language with most votes wins. A text too short for that (fewer than
/// [`MIN_TEXT_WORDS`] words in such passages) is told by its commonest function words, or else
/// by whatlang over the whole text when it is sure; a text with nothing to tell is
/// [`Language::UNDETERMINED`].
pub fn detect<'a>(passages: impl IntoIterator<Item = &'a str>) -> Language {
    let mut votes: Vec<(whatlang::Lang, f64)> = Vec::new();
    let mut whole = String::new();
    let (mut read, mut voting_words) = (0usize, 0usize);
    for p in passages {
        if read > MAX_SAMPLE_CHARS {
            break;
        }
        read += p.len();
        if whole.len() < 10_000 {
            whole.push_str(p);
            whole.push('\n');
        }
        let words = p.split_whitespace().count();
        if words < MIN_VOTING_WORDS {
            continue;
        }
        if let Some(info) = whatlang::detect(p) {
            voting_words += words;
            let weight = words as f64 * info.confidence();
            match votes.iter_mut().find(|(l, _)| *l == info.lang()) {
                Some((_, v)) => *v += weight,
                None => votes.push((info.lang(), weight)),
            }
        }
    }
    let voted = votes
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, v)| *v > 0.0)
        .map(|(l, _)| l);
    let best = match voted {
        Some(lang) if voting_words >= MIN_TEXT_WORDS => Some(lang),
        _ => by_function_words(&whole).or_else(|| {
            whatlang::detect(&whole)
                .filter(whatlang::Info::is_reliable)
                .map(|i| i.lang())
        }),
    };
    best.map_or(Language::UNDETERMINED, Language::of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_read_both_ways() {
        assert_eq!(Language::SPANISH.code(), "es");
        assert_eq!(Language::ENGLISH.code(), "en");
        assert_eq!(Language::SPANISH.name(), "Spanish");
        for s in ["es", "ES", "spa", "Spanish", "español", "es-MX", "es_AR"] {
            assert_eq!(Language::parse(s), Some(Language::SPANISH), "{s}");
        }
        assert_eq!(Language::parse("und"), Some(Language::UNDETERMINED));
        assert_eq!(Language::parse("klingon"), None);
        assert_eq!(Language::UNDETERMINED.code(), "und");
        // every code reads back as its language
        for l in whatlang::Lang::all() {
            let lang = Language::of(*l);
            assert_eq!(Language::parse(lang.code()), Some(lang), "{l:?}");
            assert_ne!(lang.code(), "und");
        }
    }

    /// `toc` names a text's language in the reader's language: every language cabildo can tell
    /// has its own name in Spanish (English uses whatlang's English names).
    #[test]
    fn every_language_has_a_name_in_each_language_the_bot_speaks() {
        use crate::i18n::Lang;
        let name = |l: Language, lang: Lang| l.named().text(lang);
        let all = whatlang::Lang::all().iter().map(|l| Language::of(*l));
        for l in all.chain([Language::UNDETERMINED]) {
            assert_eq!(name(l, Lang::En), l.name(), "{l}");
            let listed = format!("[{}] ", l.code());
            assert!(
                crate::i18n::ES_FTL.contains(&listed),
                "{l} has no Spanish name"
            );
        }
        assert_eq!(name(Language::SPANISH, Lang::Es), "español");
        assert_eq!(name(Language::ENGLISH, Lang::Es), "inglés");
        assert_eq!(name(Language::UNDETERMINED, Lang::Es), "sin determinar");
    }

    #[test]
    fn detects_the_language_of_a_text_by_its_passages() {
        let es = [
            "El paquete fuente se construye con las herramientas de Debian y se sube al archivo.",
            "Capítulo 1",
            "Los desarrolladores mantienen los paquetes y responden a los informes de fallo.",
        ];
        assert_eq!(detect(es), Language::SPANISH);
        let en = ["The workers met in the square and elected a council of their own delegates."];
        assert_eq!(detect(en), Language::ENGLISH);
        // Short texts are told by their function words.
        assert_eq!(
            detect(["The workers met.", "Dual power."]),
            Language::ENGLISH
        );
        assert_eq!(detect(["¿Dónde está la red?"]), Language::SPANISH);
        assert_eq!(detect(["", "123 456"]), Language::UNDETERMINED);
        assert_eq!(detect([]), Language::UNDETERMINED);
    }
}
