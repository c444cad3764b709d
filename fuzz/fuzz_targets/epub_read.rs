//! Any bytes as an EPUB file: the zip layer, the limits on entries and unpacked size. No panic; a
//! document, when there is one, well formed. (`epub_package` reaches the package and pages.)

#![no_main]

mod common;

use cabildo::corpus::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = common::read(Format::Epub, data) {
        common::check_document("epub", &doc);
    }
});
