//! Any bytes as HTML: one page, and the same bytes as a folder of pages (NUL-separated, see
//! `common::pieces`) put in book order and read as books. No panic; every document well formed.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for doc in common::html_documents(data) {
        common::check_document("html", &doc);
    }
});
