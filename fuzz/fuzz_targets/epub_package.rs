//! An EPUB's entries as the input (NUL-separated named pieces, see `common::pieces`: the
//! `mimetype`, `META-INF/container.xml`, the package document, the navigation, the pages), zipped
//! without compression by `common::zip_pieces` and read as an EPUB, so that mutations land in the
//! XML and XHTML the reader parses. No panic; every document well formed.

#![no_main]

mod common;

use cabildo::corpus::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(epub) = common::zip_pieces(data) else {
        return;
    };
    if let Ok(doc) = common::read(Format::Epub, &epub) {
        common::check_document("epub_package", &doc);
    }
});
