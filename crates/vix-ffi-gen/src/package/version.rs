//! PEP 440 public version identifiers: parsing and normalisation.
//!
//! A small hand-written parser rather than a dependency: the grammar is a dozen lines of
//! PEP 440 (Appendix B, "Parsing version strings"), and we need only two answers from it,
//! "is this a public version" and "how does it normalise", with an error that says which
//! part is wrong. `pep440_rs` would do it too, but drags in `unicode-width`, `serde` and a
//! specifier engine we never use, and its standalone releases now trail the copy inside
//! `uv`.
//!
//! Accepted, as `packaging.version.Version` accepts them: an optional `v`, an optional
//! epoch `N!`, a release `N(.N)*`, an optional pre-release (`a`, `b`, `rc` and their
//! spellings `alpha`, `beta`, `c`, `pre`, `preview`), post-release (`.postN`, `-N`, `rev`,
//! `r`) and dev-release (`.devN`), each with an optional `.`, `-` or `_` separator and an
//! optional number; letters in any case; surrounding whitespace. Refused: anything else,
//! and local versions (`+abc`), which package indexes refuse to host.

use std::fmt;

/// A version string that is not a PEP 440 public version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError {
    /// The string as given.
    pub input: String,
    /// What is wrong, in words.
    pub reason: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a PEP 440 public version: {} (expected e.g. 1.2.0, 1.2.0rc1, \
             1.2.0.post1, 1.2.0.dev3, 2!1.0)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for VersionError {}

/// Checks that `input` is a PEP 440 public version and returns its normalised form
/// (`1.0-Alpha.1` → `1.0a1`, `v2.0-r` → `2.0.post0`, `01.002` → `1.2`).
pub fn normalize_version(input: &str) -> Result<String, VersionError> {
    let fail = |reason: &str| VersionError {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    let lowered = input.trim().to_ascii_lowercase();
    if lowered.is_empty() {
        return Err(fail("it is empty"));
    }
    if !lowered.is_ascii() {
        return Err(fail("it contains non-ASCII characters"));
    }
    let mut p = Cursor {
        s: lowered.as_bytes(),
        i: 0,
    };
    p.eat(b"v");

    let mut out = String::new();
    let first = p
        .digits()
        .ok_or_else(|| fail("it must start with a number (the release, e.g. 1.0)"))?;
    let release_start = if p.eat(b"!") {
        if first != "0" {
            out.push_str(&first);
            out.push('!');
        }
        p.digits()
            .ok_or_else(|| fail("the epoch \"N!\" must be followed by a release number"))?
    } else {
        first
    };
    out.push_str(&release_start);
    while p.peek() == Some(b'.') && p.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        p.i += 1;
        out.push('.');
        out.push_str(&p.digits().expect("a digit was seen"));
    }

    // Pre-release.
    let save = p.i;
    p.separator();
    if let Some(label) = p.label(&[
        ("alpha", "a"),
        ("a", "a"),
        ("beta", "b"),
        ("b", "b"),
        ("preview", "rc"),
        ("pre", "rc"),
        ("c", "rc"),
        ("rc", "rc"),
    ]) {
        out.push_str(label);
        out.push_str(&p.optional_number());
    } else {
        p.i = save;
    }

    // Post-release: "-N", or [sep] (post|rev|r) [[sep] N].
    let save = p.i;
    if p.peek() == Some(b'-') && p.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        p.i += 1;
        out.push_str(".post");
        out.push_str(&p.digits().expect("a digit was seen"));
    } else {
        p.separator();
        if p.label(&[("post", "post"), ("rev", "post"), ("r", "post")])
            .is_some()
        {
            out.push_str(".post");
            out.push_str(&p.optional_number());
        } else {
            p.i = save;
        }
    }

    // Dev-release.
    let save = p.i;
    p.separator();
    if p.label(&[("dev", "dev")]).is_some() {
        out.push_str(".dev");
        out.push_str(&p.optional_number());
    } else {
        p.i = save;
    }

    match p.peek() {
        None => Ok(out),
        Some(b'+') => Err(fail(
            "a local version label (\"+...\") is for builds that are never published; \
             package indexes such as PyPI refuse it",
        )),
        Some(_) => {
            let rest = &input.trim()[p.i..];
            Err(fail(&format!(
                "{rest:?} cannot follow {:?}",
                &input.trim()[..p.i]
            )))
        }
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.i + ahead).copied()
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    /// A run of digits, without its leading zeros (`"007"` → `"7"`, `"0"` → `"0"`).
    fn digits(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return None;
        }
        let run = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII digits");
        let trimmed = run.trim_start_matches('0');
        Some(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
    }

    /// An optional `.`, `-` or `_`.
    fn separator(&mut self) {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
        }
    }

    /// The longest of `labels` at the cursor, as its normal spelling. No label of one
    /// group is a prefix of another that could follow it, so the longest match is the one
    /// the PEP 440 regular expression finds.
    fn label(&mut self, labels: &[(&str, &'static str)]) -> Option<&'static str> {
        let (spelling, normal) = labels
            .iter()
            .filter(|(spelling, _)| self.s[self.i..].starts_with(spelling.as_bytes()))
            .max_by_key(|(spelling, _)| spelling.len())?;
        self.i += spelling.len();
        Some(normal)
    }

    /// `[sep] N` after a label, or "0" when absent (the separator is only taken when a
    /// number follows it).
    fn optional_number(&mut self) -> String {
        let save = self.i;
        self.separator();
        match self.digits() {
            Some(n) => n,
            None => {
                self.i = save;
                "0".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_version;

    #[test]
    fn canonical_versions_are_kept() {
        for v in [
            "0",
            "1",
            "0.1.0",
            "1.2.3",
            "2024.10.1",
            "1.0a1",
            "1.0b2",
            "1.0rc3",
            "1.0.post1",
            "1.0.dev4",
            "1.0a1.post2.dev3",
            "1!2.0",
            "1.0rc1.dev0",
        ] {
            assert_eq!(normalize_version(v).as_deref(), Ok(v), "{v}");
        }
    }

    #[test]
    fn spellings_are_normalised() {
        for (given, normal) in [
            ("v1.0", "1.0"),
            ("V1.0", "1.0"),
            (" 1.0\n", "1.0"),
            ("01.002.0003", "1.2.3"),
            ("0!1.0", "1.0"),
            ("1.0-alpha.1", "1.0a1"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0beta", "1.0b0"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre2", "1.0rc2"),
            ("1.0-preview_3", "1.0rc3"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev", "1.0.post0"),
            ("1.0_r-2", "1.0.post2"),
            ("1.0.post", "1.0.post0"),
            ("1.0dev", "1.0.dev0"),
            ("1.0-dev-7", "1.0.dev7"),
            ("1.0a.post", "1.0a0.post0"),
            ("1.0a-1", "1.0a1"),
        ] {
            assert_eq!(normalize_version(given).as_deref(), Ok(normal), "{given:?}");
        }
    }

    #[test]
    fn non_versions_are_refused_with_a_reason() {
        for (bad, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("latest", "must start with a number"),
            ("v", "must start with a number"),
            (".1", "must start with a number"),
            ("1.", "cannot follow"),
            ("1..2", "cannot follow"),
            ("1.0.0-beta+exp.sha.5114f85", "local version"),
            ("1.0+local", "local version"),
            ("1.0alphab", "cannot follow"),
            ("1.0 beta", "cannot follow"),
            ("1!", "epoch"),
            ("1.0-", "cannot follow"),
            ("1.0a1a2", "cannot follow"),
            ("1.0.dev1.post1", "cannot follow"),
            ("1.0é", "non-ASCII"),
            ("1.0-SNAPSHOT", "cannot follow"),
        ] {
            let err = normalize_version(bad).expect_err(bad);
            assert!(err.to_string().contains(why), "{bad:?}: {err}");
            assert!(err.to_string().contains("PEP 440"), "{err}");
        }
    }
}
