//! Any bytes as a PDF file: objects, streams, fonts and the layout of their text into passages.
//! No panic; a document, when there is one, well formed (pages are references that parse).

#![no_main]

mod common;

use cabildo::corpus::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = common::read(Format::Pdf, data) {
        common::check_document("pdf", &doc);
    }
});
