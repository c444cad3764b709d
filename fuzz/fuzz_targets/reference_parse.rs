//! Any string as a reference, against the embedded essay and a small two-document corpus: parsing
//! never panics, what it accepts exists, and every printed form parses back to the same reference.

#![no_main]

use std::sync::OnceLock;

use cabildo::Reference;
use cabildo::corpus::{self, Corpus, Format};
use libfuzzer_sys::fuzz_target;

fn essay() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(corpus::embedded)
}

/// Two documents: chapter-and-verse style Markdown and a plain text with an untitled opening.
fn pair() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let bible = corpus::parse(
            "bible",
            "Bible",
            Format::Markdown,
            "# The Bible\n\n## John 3\n\nFor God so loved.\n\nSecond verse.\n\nThird verse.\n\n\
             ## John 4\n\nOne.\n\n## Psalm 23\n\nThe Lord is my shepherd.\n\nI shall not want.\n",
        );
        let essay = corpus::parse(
            "bolivia-essay",
            "Essay",
            Format::Text,
            "Revolution in Bolivia\n\nAn untitled opening passage.\n\nAnother one.\n\n\
             Elements of dual power\n\nDual power exists.\n\nIt cannot last.\n\n\
             The working class must take power!\n\nIt must.\n",
        );
        Corpus::new(vec![bible, essay], Vec::new())
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for corpus in [essay(), pair()] {
        let Ok(r) = Reference::parse(s, corpus) else {
            continue;
        };
        assert!(
            r.check(corpus).is_ok(),
            "{s:?} parsed to {r:?}, which fails check"
        );
        for form in [r.human(corpus), r.short(corpus), r.titled(corpus)] {
            let back = Reference::parse(&form, corpus);
            assert_eq!(
                back.as_ref().ok(),
                Some(&r),
                "{s:?} → {r:?} → {form:?} → {back:?}"
            );
        }
    }
});
