//! Every relative link of the README, ARCHITECTURE.md and the guide resolves: the file
//! or folder exists, and an anchor names a heading of its Markdown file. mdBook warns
//! about missing chapters only, not about links inside the text.

mod common;

use std::path::{Component, Path, PathBuf};

use common::{anchors, book_files, book_src, links, repo_root};

/// `base.join(target)` with `..` and `.` resolved without touching the file system.
fn resolve(base: &Path, target: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in base.join(target).components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The problems of the links in `file`.
fn check_file(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let root = repo_root();
    let shown = file
        .strip_prefix(&root)
        .unwrap_or(file)
        .display()
        .to_string();
    let in_book = file.starts_with(book_src());
    let mut problems = Vec::new();
    for (line, target) in links(&text) {
        if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (target.as_str(), None),
        };
        let resolved = if path.is_empty() {
            file.to_path_buf()
        } else {
            resolve(file.parent().unwrap(), path)
        };
        if !resolved.exists() {
            problems.push(format!("{shown}:{line}: {target}: no such file or folder"));
            continue;
        }
        if !resolved.starts_with(&root) {
            problems.push(format!("{shown}:{line}: {target}: outside the repository"));
            continue;
        }
        let is_markdown = resolved.extension().is_some_and(|e| e == "md");
        if in_book && is_markdown && !resolved.starts_with(book_src()) {
            problems.push(format!(
                "{shown}:{line}: {target}: mdBook turns a link to a .md file into a link \
                 to .html, which exists only for chapters: link the folder, or a chapter"
            ));
        }
        if let Some(anchor) = anchor {
            if is_markdown {
                let other = std::fs::read_to_string(&resolved).unwrap();
                if !anchors(&other).iter().any(|a| a == anchor) {
                    problems.push(format!(
                        "{shown}:{line}: {target}: no heading makes the anchor #{anchor}"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_relative_link_resolves() {
    let root = repo_root();
    let mut files = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    files.extend(book_files());
    let problems: Vec<String> = files.iter().flat_map(|f| check_file(f)).collect();
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_link_reader_finds_links_and_anchors() {
    let text = "# A `b` c\n\nSee [x](a.md#a-b-c) and ![i](img.png).\n```\n[no](skip)\n```\n\
                [ref]: other.md\n## A `b` c\n";
    let found: Vec<String> = links(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(found, ["a.md#a-b-c", "img.png", "other.md"]);
    assert_eq!(anchors(text), ["a-b-c", "a-b-c-1"]);
}
