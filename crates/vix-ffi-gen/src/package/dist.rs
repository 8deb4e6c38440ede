//! Distribution names (the `name` of `pyproject.toml`, what `pip install` takes).
//!
//! The rule is PEP 508's: ASCII letters and digits, with `.`, `-` and `_` allowed inside
//! but not at either end (`^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, case-insensitive).
//! Two names that normalise alike (PEP 503: lower case, each run of `-_.` becomes `-`)
//! are the same project on a package index.

use std::fmt;

/// A string that is not a valid distribution name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistNameError {
    /// The name as given.
    pub input: String,
    /// What is wrong, in words.
    pub reason: String,
}

impl fmt::Display for DistNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a valid distribution name: {} (expected ASCII letters and digits, \
             with \".\", \"-\" or \"_\" allowed between them, e.g. vix-base64-ffi)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for DistNameError {}

/// Checks `name` against the PEP 508 name rule.
pub fn check_dist_name(name: &str) -> Result<(), DistNameError> {
    let fail = |reason: String| DistNameError {
        input: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(fail("it is empty".to_owned()));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(fail(format!("{bad:?} is not allowed")));
    }
    let ends = [name.as_bytes()[0], name.as_bytes()[name.len() - 1]];
    if ends.iter().any(|b| !b.is_ascii_alphanumeric()) {
        return Err(fail(
            "it must start and end with a letter or digit".to_owned(),
        ));
    }
    Ok(())
}

/// The PEP 503 normal form of a (valid) distribution name: `Vix_Base64.FFI` →
/// `vix-base64-ffi`.
pub fn normalize_dist_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for name in [
            "a",
            "A1",
            "vix-base64_ffi",
            "vix.base64",
            "zope.interface",
            "1abc",
            "a--b",
        ] {
            assert_eq!(check_dist_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn invalid_names_say_why() {
        for (name, why) in [
            ("", "empty"),
            ("-abc", "start and end"),
            ("abc_", "start and end"),
            (".", "start and end"),
            ("my package", "' ' is not allowed"),
            ("pkg/../x", "'/' is not allowed"),
            ("naïve", "'ï' is not allowed"),
            ("pkg==1.0", "'=' is not allowed"),
        ] {
            let err = check_dist_name(name).expect_err(name);
            assert!(err.to_string().contains(why), "{name:?}: {err}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_dist_name("vix-base64_ffi"), "vix-base64-ffi");
        assert_eq!(normalize_dist_name("Vix__Base64.-FFI"), "vix-base64-ffi");
        assert_eq!(normalize_dist_name("abc"), "abc");
    }
}
