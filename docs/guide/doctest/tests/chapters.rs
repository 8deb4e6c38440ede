//! Every chapter of `SUMMARY.md` is a module of this crate, so its Rust code blocks are
//! doc tests, and every Markdown file of the book is a chapter.

mod common;

use common::{book_files, book_src, links};

#[test]
fn every_chapter_is_tested_and_every_file_is_a_chapter() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let mut listed: Vec<String> = links(&summary).into_iter().map(|(_, t)| t).collect();
    listed.sort();
    let mut included: Vec<String> = vix_ffi_guide::CHAPTERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    included.sort();
    assert_eq!(
        listed, included,
        "SUMMARY.md and the chapters! list of src/lib.rs differ"
    );
    let mut files: Vec<String> = book_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "SUMMARY.md")
        .collect();
    files.sort();
    assert_eq!(
        files, listed,
        "a Markdown file of docs/guide/src is not in SUMMARY.md"
    );
}
