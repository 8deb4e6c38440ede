//! The manifest corpus: every `tests/manifests/bad/<case>.json` must be refused with
//! exactly the diagnostics in `<case>.expected`, and every `tests/manifests/good/*.json`
//! (plus the manifests the repository ships) must parse.
//!
//! After a deliberate change of messages, regenerate the expectations with
//! `VIX_BLESS=1 cargo test -p vix-ffi-gen --test bad_manifests`, then review the diff
//! before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use vix_ffi_gen::manifest::parse;

fn corpus(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/manifests")
        .join(kind)
}

/// Sorted, so that reports are stable.
fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A line-by-line comparison: `-` expected, `+` actual, ` ` both.
fn diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    // Longest common subsequence, small inputs only.
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            out += &format!("  {}\n", expected[i]);
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!("- {}\n", expected[i]);
            i += 1;
        } else {
            out += &format!("+ {}\n", actual[j]);
            j += 1;
        }
    }
    out
}

#[test]
fn bad_manifests_give_the_expected_diagnostics() {
    let bless = std::env::var_os("VIX_BLESS").is_some_and(|v| v == "1");
    let dir = corpus("bad");
    let cases = files_with_extension(&dir, "json");
    assert!(cases.len() >= 25, "only {} bad cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let actual = match parse(&read(case)) {
            Ok(_) => {
                failures.push(format!("{name}: accepted, but it must be refused"));
                continue;
            }
            Err(diagnostics) => format!("{diagnostics}\n"),
        };
        let expected_path = case.with_extension("expected");
        if bless {
            fs::write(&expected_path, &actual)
                .unwrap_or_else(|e| panic!("writing {}: {e}", expected_path.display()));
            continue;
        }
        if !expected_path.exists() {
            failures.push(format!(
                "{name}: no {} (run with VIX_BLESS=1 to create it, then review it); \
                 diagnostics:\n{actual}",
                expected_path.file_name().unwrap().to_string_lossy()
            ));
            continue;
        }
        // A checkout may have turned line ends into CRLF.
        let expected = read(&expected_path).replace("\r\n", "\n");
        if expected != actual {
            failures.push(format!(
                "{name}: diagnostics differ (- expected, + actual):\n{}",
                diff(&expected, &actual)
            ));
        }
    }
    for expected in files_with_extension(&dir, "expected") {
        if !expected.with_extension("json").exists() {
            failures.push(format!("{}: no matching .json", expected.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad manifests failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn good_manifests_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut manifests = files_with_extension(&corpus("good"), "json");
    assert!(manifests.len() >= 2, "only {} good cases", manifests.len());
    // The manifests the repository ships must stay valid too.
    for shipped in [
        "examples/base64_ffi/bindings.json",
        "tests/fixtures/c_textlib/bindings.json",
    ] {
        let path = root.join(shipped);
        if path.exists() {
            manifests.push(path);
        }
    }
    let failures: Vec<String> = manifests
        .iter()
        .filter_map(|path| {
            parse(&read(path))
                .err()
                .map(|diagnostics| format!("{}:\n{diagnostics}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "good manifests were refused:\n\n{}",
        failures.join("\n\n")
    );
}
