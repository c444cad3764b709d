//! The corpus-shape suite over real files (issue 27): the 38 files of `corpora/shapes-real/`,
//! from 19 generators and traditions, each checked against what `corpora/SHAPES.md` (written by
//! reading the files, not by running cabildo) says a correct reader finds — its title, and
//! sections with their own numbers and titles, in order — and its whole table of contents kept as
//! an insta snapshot (`real_<file>`), read against the file.
//!
//! Where the reader falls short of SHAPES.md a row can say how (`gap`: none does today), and
//! the test then insists the shortfall is still there: a gap closed must be moved to the checked
//! rows, and a checked row that breaks fails. Every file is parsed once, in parallel.

use std::collections::HashMap;
use std::sync::OnceLock;

use cabildo::corpus::{self, Corpus};
use cabildo::lookup;
use cabildo::render::text::{Style, toc};

use crate::common::data;

struct Real {
    file: &'static str,
    title: &'static str,
    /// Sections that must be found in this order (`label title`, or the title alone when the
    /// text gives no number), as SHAPES.md gives them.
    sections: &'static [&'static str],
    /// Sections that must not be found (`label title` or title: lines SHAPES.md says are items
    /// or body text, not headings).
    absent: &'static [&'static str],
    /// Where the reader still falls short of SHAPES.md; `None` when it does not.
    gap: Option<&'static str>,
}

const fn ok(file: &'static str, title: &'static str, sections: &'static [&'static str]) -> Real {
    Real {
        file,
        title,
        sections,
        absent: &[],
        gap: None,
    }
}

const REAL: &[Real] = &[
    ok(
        "autopkgtest.md",
        "Autopkgtest - Defining tests for Debian packages",
        &[
            "Overview",
            "Control fields",
            "Defined restrictions",
            "Defined features",
            "Source package header",
            "Implicit test control file for known package types",
            "Ruby packages",
            "Perl packages",
            "Reboot during a test",
        ],
    ),
    ok(
        "copyright-format-1.0.html",
        "Machine-readable debian/copyright file",
        &[
            "1 Introduction",
            "2 Rationale",
            "4 File syntax",
            "4.1 Single-line values",
            "5.1.1 Example header stanza",
            "8 Examples",
        ],
    ),
    ok(
        "copyright-format-1.0.txt",
        "Machine-readable debian/copyright file",
        &[
            "1 Introduction",
            "2 Rationale",
            "4 File syntax",
            "4.1 Single-line values",
            "6 Fields",
            "8 Examples",
        ],
    ),
    ok(
        "debian-faq-basic-defs.html",
        "Chapter 1. Definitions and overview",
        &[
            "Chapter 1 Definitions and overview",
            "1.1 What is this FAQ?",
            "1.7 How does one pronounce Debian and what does this word mean?",
        ],
    ),
    ok(
        "debian-faq-pkg-basics.html",
        "Chapter 7. Basics of the Debian package management system",
        &[
            "Chapter 7 Basics of the Debian package management system",
            "7.1 What is a Debian package?",
            "7.15 How do I create Debian packages myself?",
        ],
    ),
    ok(
        "debian-faq.pdf",
        "The Debian GNU/Linux FAQ",
        &[
            "1 Definitions and overview",
            "1.1 What is this FAQ?",
            "2 Getting and installing Debian GNU/Linux",
            "16.4 Document format",
        ],
    ),
    ok(
        "debian-faq.txt",
        "The Debian GNU/Linux FAQ",
        &[
            "Chapter 1 Definitions and overview",
            "1.1 What is this FAQ?",
            "1.5 What is the difference between Debian GNU/Linux and other Linux distributions? Why should I choose Debian over some other distribution?",
            "3.1.1 You asked me to install stable, but in stable so and so hardware is not detected/working. What should I do?",
            "9.2 Must I go into single user mode in order to upgrade a package?",
            "Chapter 16 General information about the FAQ",
            "16.4 Document format",
        ],
    ),
    ok(
        "debian-handbook-packaging-system.html",
        "Chapter 5. Packaging System: Tools and Fundamental Principles",
        &[
            "Chapter 5 Packaging System: Tools and Fundamental Principles",
            "5.1 Structure of a Binary Package",
        ],
    ),
    ok(
        "debian-handbook-sect-apt-cache.html",
        "6.3. The apt-cache Command",
        &[
            "6.3 The apt-cache Command",
            "6.3.1 The apt-cache policy Command",
        ],
    ),
    ok(
        "debian-reference-ch08.html",
        "Chapter 8. I18N and L10N",
        &[
            "Chapter 8 I18N and L10N",
            "8.1 The locale",
            "8.1.1 Rationale for UTF-8 locale",
            "8.2 The keyboard input",
            "8.3 The display output",
            "8.4 East Asian Ambiguous Character Width Characters",
        ],
    ),
    Real {
        file: "diffutils-NEWS.txt",
        title: "GNU diffutils NEWS",
        sections: &[
            "Noteworthy changes in release 3.8 (2021-08-01) [stable]",
            "Incompatible changes",
            "Bug fixes",
            "Noteworthy changes in release 2.8.7 (2004-04-13) [stable]",
            "User-visible changes in version 2.8.6",
            "User-visible changes in version 2.0",
        ],
        // Bullets of the older style, standing alone like a heading.
        absent: &["New cmp option: -v --version"],
        gap: None,
    },
    // Entries labelled with their versions, newest first.
    ok(
        "debian-faq-changelog.txt",
        "debian-faq",
        &["11.1", "11.0", "5.0.2+nmu1", "0.1-xx"],
    ),
    // The title is the Top node's heading.
    ok(
        "ed.info",
        "The GNU ed line editor",
        &[
            "1 Overview",
            "7 Substitute command",
            "11 GNU Free Documentation License",
        ],
    ),
    // No outline and no metadata title: the title from the first page, sections from the
    // text.
    ok(
        "fhs-3.0.pdf",
        "Filesystem Hierarchy Standard",
        &[
            "Chapter 1 Introduction",
            "1.1 Purpose",
            "3.1 Purpose",
            "3.5 /boot : Static files of the boot loader",
            "Chapter 7 Appendix",
        ],
    ),
    Real {
        file: "fhs-3.0.txt",
        title: "Filesystem Hierarchy Standard",
        sections: &[
            "Chapter 1 Introduction",
            "1.1 Purpose",
            "3.4 /bin : Essential user command binaries (for use by all users)",
            "3.4.1 Purpose",
            "3.7.4.1 Purpose",
            "Chapter 7 Appendix",
        ],
        // Paragraph captions, repeated all through the text.
        absent: &["Rationale", "Note"],
        gap: None,
    },
    ok(
        "git-RelNotes-2.39.0.txt",
        "Git v2.39 Release Notes",
        &[
            "UI, Workflows & Features",
            "Performance, Internal Implementation, Development Support etc.",
            "Fixes since v2.38",
        ],
    ),
    // No title in the file (SHAPES.md): the file name's.
    ok("license-BSD.txt", "license BSD", &[]),
    ok(
        "license-CC0-1.0.txt",
        "Creative Commons Legal Code",
        &[
            "Statement of Purpose",
            "1 Copyright and Related Rights",
            "2 Waiver",
            "3 Public License Fallback",
            "4 Limitations and Disclaimers",
        ],
    ),
    ok(
        "license-GPL-2.txt",
        "GNU GENERAL PUBLIC LICENSE",
        &[
            "Preamble",
            "0",
            "10",
            "NO WARRANTY",
            "11",
            "12",
            "How to Apply These Terms to Your New Programs",
        ],
    ),
    ok(
        "license-GPL-3.txt",
        "GNU GENERAL PUBLIC LICENSE",
        &[
            "Preamble",
            "TERMS AND CONDITIONS",
            "0 Definitions",
            "1 Source Code",
            "17 Interpretation of Sections 15 and 16",
            "How to Apply These Terms to Your New Programs",
        ],
    ),
    // Definitions (`1.0.1. "Commercial Use" means …`) are numbered items of section 1.
    ok(
        "license-MPL-1.1.txt",
        "MOZILLA PUBLIC LICENSE",
        &[
            "1 Definitions",
            "2 Source Code License",
            "2.1 The Initial Developer Grant",
            "3.7 Larger Works",
            "13 MULTIPLE-LICENSED CODE",
        ],
    ),
    // SiSU: a page per chapter heading before the chapter (read once), sections in bold
    // numbered paragraphs, every paragraph's citation number beside it (not text).
    ok(
        "live-manual.epub",
        "Live Systems Manual",
        &[
            "1 About this manual",
            "1.1 For the impatient",
            "1.4.1 Applying changes",
            "4.1 What is a live system?",
            "19 Style guide",
        ],
    ),
    ok(
        "maint-guide-first.html",
        "Chapter 2. First steps",
        &[
            "Chapter 2 First steps",
            "2.1 Debian package building workflow",
            "2.8 Initial non-native Debian package",
        ],
    ),
    ok(
        "maint-guide.pdf",
        "Debian New Maintainers' Guide",
        &[
            "1 Getting started The Right Way",
            "1.1 Social dynamics of Debian",
            "2 First steps",
            "9 Uploading the package",
            "Appendix A.5 Native Debian package",
        ],
    ),
    Real {
        file: "maint-guide.txt",
        title: "Debian New Maintainers' Guide",
        sections: &[
            "Chapter 1 Getting started The Right Way",
            "1.1 Social dynamics of Debian",
            "Appendix A Advanced packaging",
        ],
        absent: &[
            "Josip Rodin",
            "The dh $@ command can be customized as follows: ^[49]",
        ],
        gap: None,
    },
    ok(
        "man-db-FAQ.txt",
        "Frequently Asked Questions",
        &["Why use man-db instead of man?"],
    ),
    ok(
        "nodejs-BUILDING.md",
        "Building Node.js",
        &[
            "Supported platforms",
            "Input",
            "Strategy",
            "Platform list",
            "OpenSSL asm support",
            "Building Node.js on supported platforms",
            "Note for downstream distributors of Node.js",
        ],
    ),
    ok(
        "nodejs-api-documentation.html",
        "About this documentation",
        &[
            "Contributing",
            "Stability index",
            "Stability overview",
            "JSON output",
            "System calls and man pages",
        ],
    ),
    ok(
        "perl-policy.txt",
        "Debian Perl Policy",
        &[
            "Chapter 1 About this document",
            "Chapter 2 Perl Packaging",
            "2.1 Versions",
            "2.4 Documentation",
            "Chapter 3 Locally Installed Modules",
            "3.1 Site Directories",
            "4.1 Vendor Directories",
            "4.4.1 Architecture-Independent Modules",
            "Chapter 5 Perl Programs",
            "6.3 Perl Package Upgrades",
            "Appendix A Perl 6",
        ],
    ),
    ok(
        "pip-installation.md",
        "Installation",
        &[
            "Supported Methods",
            "ensurepip",
            "get-pip.py",
            "Standalone zip application",
            "Alternative Methods",
            "Upgrading pip",
            "Compatibility",
        ],
    ),
    ok(
        "policy-readme.md",
        "Debian Policy",
        &[
            "Infrastructure",
            "Interacting with the team",
            "Contributing",
            "Driving change proposals",
            "Adding a new language",
            "Maintenance procedures",
            "Release checklist",
            "Setting release goals",
        ],
    ),
    Real {
        file: "policy-upgrading-checklist.txt",
        title: "10. Upgrading checklist",
        sections: &[
            "10.1 About the checklist",
            "10.2 Version 4.6.2",
            "10.68 Version 2.1.0",
        ],
        absent: &["9.7.2 & 9.7.3"],
        gap: None,
    },
    ok(
        "shlex-quoting-warning.md",
        // Two H1s, neither the document's: the file name's.
        "shlex quoting warning",
        &[
            "List of issues",
            "Nul bytes",
            "Overlong commands",
            "Control characters (interactive contexts only)",
            "Solved issues",
            "Demonstration",
            "Cause",
        ],
    ),
    ok(
        "tantivy-basis.md",
        "Anatomy of an index",
        &[
            "Straight from disk",
            "Segments, and the log method",
            "Merging",
            "Indexing throughput, number of indexing threads",
        ],
    ),
    ok(
        "valgrind-FAQ.txt",
        "Valgrind FAQ",
        &[
            "1 Background",
            "1.1 How do you pronounce \"Valgrind\"?",
            "1.2 Where does the name \"Valgrind\" come from?",
            "2 Compiling, installing and configuring",
            "6.1 Where can I get more help?",
        ],
    ),
    // Questions without their `Q:`, wrapped ones whole.
    ok(
        "xz-faq.txt",
        "XZ Utils FAQ",
        &[
            "What do the letters XZ mean?",
            "Why is liblzma named liblzma if its primary file format is .xz? Shouldn't it be e.g. libxz?",
            "I need to use a script that runs \"xz -9\". On a system with 256 MiB of RAM, xz says that it cannot allocate memory. Can I make the script work without modifying it?",
            "The default build of liblzma is too big. How can I make it smaller?",
        ],
    ),
    // A man page is cited by its name and section.
    ok(
        "xz.1.txt",
        "XZ(1)",
        &[
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "Memory usage",
            "OPTIONS",
            "Operation mode",
            "SEE ALSO",
        ],
    ),
    Real {
        file: "zlib-FAQ.txt",
        title: "Frequently Asked Questions about zlib",
        sections: &[
            "1 Is zlib Y2K-compliant?",
            "9 Why do I get \"undefined reference to gzputc\"?",
            "10 I need a Delphi interface to zlib.",
            "44 Can you please sign these lengthy legal documents and fax them back to us so that we can use your software in our product?",
        ],
        // A line of an answer's body, not a heading.
        absent: &["If \"make test\" produces something like"],
        gap: None,
    },
];

/// Every file, parsed once (in parallel).
fn parsed() -> &'static HashMap<&'static str, Corpus> {
    static CACHE: OnceLock<HashMap<&'static str, Corpus>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let dir = data().join("corpora/shapes-real");
        std::thread::scope(|s| {
            let handles: Vec<_> = REAL
                .iter()
                .map(|r| {
                    let path = dir.join(r.file);
                    s.spawn(move || {
                        let c = corpus::load(&path).unwrap_or_else(|e| panic!("{}: {e}", r.file));
                        (r.file, c)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a file loads"))
                .collect()
        })
    })
}

/// `label title` of every section, in order.
fn entries(c: &Corpus) -> Vec<String> {
    c.documents[0]
        .sections
        .iter()
        .map(|s| {
            let t = s.title.as_deref().unwrap_or("");
            match s.label.as_deref() {
                Some(l) if t.is_empty() || t == l => l.to_string(),
                Some(l) => format!("{l} {t}"),
                None => t.to_string(),
            }
        })
        .collect()
}

/// What in `r` this reading gets wrong (empty when it matches SHAPES.md).
fn shortfalls(r: &Real, c: &Corpus) -> Vec<String> {
    let mut out = Vec::new();
    let doc = &c.documents[0];
    if doc.title != r.title {
        out.push(format!("title {:?}, not {:?}", doc.title, r.title));
    }
    let got = entries(c);
    let mut at = 0;
    for want in r.sections {
        match got[at..].iter().position(|g| g == want) {
            Some(k) => at += k + 1,
            None => out.push(format!("no section {want:?} (in order)")),
        }
    }
    for not in r.absent {
        if got.iter().any(|g| g == not) {
            out.push(format!("{not:?} is a section"));
        }
    }
    out
}

#[test]
fn every_real_file_reads_as_shapes_md_says() {
    let mut failures = Vec::new();
    let mut gaps = Vec::new();
    for r in REAL {
        let c = &parsed()[r.file];
        let wrong = shortfalls(r, c);
        match (r.gap, wrong.is_empty()) {
            (None, false) => failures.push(format!("{}: {}", r.file, wrong.join("; "))),
            (Some(_), true) => failures.push(format!(
                "{}: now reads as SHAPES.md says — move it to the checked rows",
                r.file
            )),
            (Some(why), false) => gaps.push(format!("{}: {why}", r.file)),
            (None, true) => {}
        }
    }
    eprintln!(
        "{} of {} real files read as SHAPES.md says; gaps:\n  {}",
        REAL.len() - gaps.len(),
        REAL.len(),
        gaps.join("\n  ")
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_real_file_keeps_its_table_of_contents() {
    assert_eq!(REAL.len(), 38, "every file of shapes-real has a row");
    for r in REAL {
        let c = &parsed()[r.file];
        let contents = lookup::toc(c, None).expect("toc");
        let name = format!("real_{}", r.file.replace(['.', '-'], "_"));
        insta::assert_snapshot!(name, toc(&contents, Style::plain()));
    }
}
