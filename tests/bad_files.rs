//! Bad files of every format (issue 27): a scanned PDF (pages without a text layer), a corrupt
//! EPUB, a truncated PDF, broken HTML and random bytes named as text are each refused by name with
//! a reason a person can act on, never a panic, while the good files beside them load; then
//! real files cut short or with bytes flipped (proptest, a few cases each) never panic.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use cabildo::corpus::{self, Limits, Overrides, ReadError};
use proptest::prelude::*;

use crate::common::data;

/// A PDF of one page that only paints an image, as a scanner makes it: no text layer.
fn scanned_pdf() -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    );
    let image_id = doc.add_object(image);
    let content = Stream::new(dictionary! {}, b"q 612 0 0 792 0 0 cm /Im1 Do Q".to_vec());
    let content_id = doc.add_object(content);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF in memory");
    out
}

/// A zip that says it is an EPUB but whose container names a package that is not there.
fn corrupt_epub() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("mimetype", opts).expect("zip");
        z.write_all(b"application/epub+zip").expect("zip");
        z.start_file("META-INF/container.xml", opts).expect("zip");
        z.write_all(
            br#"<?xml version="1.0"?><container><rootfiles><rootfile full-path="OEBPS/missing.opf"/></rootfiles></container>"#,
        )
        .expect("zip");
        z.finish().expect("zip");
    }
    buf.into_inner()
}

/// Bytes from a fixed generator (xorshift), so the test is the same on every run.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn read(name: &str, bytes: &[u8]) -> Result<corpus::Document, ReadError> {
    corpus::parse_bytes(name, bytes, Overrides::default(), &Limits::default())
}

#[test]
fn each_bad_file_is_refused_by_name_and_the_rest_loads() {
    let policy = std::fs::read(data().join("corpora/formats/policy/policy.pdf")).expect("pdf");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("good.txt", b"Good\n\nThe miners march with dynamite.".to_vec()),
        ("page.html", b"<html><head><title>A page</title></head><body><h1>A page</h1><p>The assemblies meet.</p></body></html>".to_vec()),
        ("scan.pdf", scanned_pdf()),
        ("cut.pdf", policy[..4096].to_vec()),
        ("broken.epub", corrupt_epub()),
        ("noise.txt", noise(4000)),
        ("zeros.html", vec![0u8; 512]),
    ];
    for (name, bytes) in &files {
        std::fs::write(d.join(name), bytes).expect("write");
    }
    let c = corpus::load(d).expect("the good files load");
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["good", "page"], "{:?}", c.warnings);
    let warning = |name: &str| {
        c.warnings
            .iter()
            .find(|w| w.contains(name))
            .unwrap_or_else(|| panic!("no warning names {name}: {:?}", c.warnings))
            .clone()
    };
    assert!(warning("scan.pdf").contains("no text layer"));
    assert!(warning("scan.pdf").contains("OCR"));
    assert!(warning("cut.pdf").contains("PDF"));
    assert!(warning("broken.epub").contains("EPUB"));
    assert!(warning("noise.txt").contains("not text"));
    assert!(warning("zeros.html").contains("not text"));
    // Each reader says the same when given the bytes directly (the path uploads take).
    assert_eq!(
        read("scan.pdf", &scanned_pdf()).err(),
        Some(ReadError::NoTextLayer)
    );
    assert!(matches!(
        read("book.epub", &corrupt_epub()),
        Err(ReadError::Corrupt { format: "EPUB", .. })
    ));
    assert!(matches!(
        read("noise.txt", &noise(4000)),
        Err(ReadError::Binary(_))
    ));
}

#[test]
fn a_zip_bomb_is_stopped_by_the_unpacked_size_limit() {
    let epub = std::fs::read(data().join("corpora/formats/policy/policy.epub")).expect("epub");
    let tight = Limits {
        max_unpacked_bytes: 64 * 1024,
        ..Limits::default()
    };
    let got = corpus::parse_bytes("policy.epub", &epub, Overrides::default(), &tight);
    assert!(matches!(got, Err(ReadError::TooLarge { .. })), "{got:?}");
    let few = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    let got = corpus::parse_bytes("policy.epub", &epub, Overrides::default(), &few);
    assert!(
        matches!(got, Err(ReadError::TooManyEntries { .. })),
        "{got:?}"
    );
}

/// Small real files of each new format, read once.
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let real = data().join("corpora/shapes-real");
        [
            "debian-faq-basic-defs.html",
            "live-manual.epub",
            "tantivy-basis.md",
            "license-BSD.txt",
        ]
        .iter()
        .map(|n| {
            let p: PathBuf = real.join(n);
            (n.to_string(), std::fs::read(p).expect("seed"))
        })
        .chain(std::iter::once(("scan.pdf".to_string(), scanned_pdf())))
        .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A real file cut short or with bytes overwritten gives a document or a typed refusal.
    #[test]
    fn damaged_real_files_never_panic(
        which in 0usize..5,
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..16),
    ) {
        let (name, bytes) = &seeds()[which];
        let mut b = bytes[..((bytes.len() as f64 * cut) as usize).max(1)].to_vec();
        let len = b.len();
        for (at, v) in flips {
            b[((len as f64 * at) as usize).min(len - 1)] = v;
        }
        if let Err(ReadError::Panicked { format, message }) = read(name, &b) {
            prop_assert!(false, "{format} reader panicked on {name}: {message}")
        }
    }
}
