//! What [`super::parse`] reports when a manifest is refused.

use std::fmt;

/// One problem found in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where in the document, e.g. `functions[0].args[4].type`; `(document)` for the top
    /// level; empty for a JSON syntax error.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `path: message`, `path (line L, column C): message`, or for a syntax error
    /// `line L, column C: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() && self.line.is_none() {
            "(document)"
        } else {
            &self.path
        };
        match (path.is_empty(), self.line, self.column) {
            (true, Some(line), Some(column)) => {
                write!(f, "line {line}, column {column}: {}", self.message)
            }
            (true, Some(line), None) => write!(f, "line {line}: {}", self.message),
            (false, Some(line), Some(column)) => {
                write!(f, "{path} (line {line}, column {column}): {}", self.message)
            }
            (false, Some(line), None) => write!(f, "{path} (line {line}): {}", self.message),
            (_, None, _) => write!(f, "{path}: {}", self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Every problem found in a manifest (never empty), in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The diagnostics, in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never true for a value returned by [`super::parse`]).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    /// One diagnostic per line, without a trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(path: &str, line: Option<usize>, column: Option<usize>) -> Diagnostic {
        Diagnostic {
            path: path.to_owned(),
            line,
            column,
            message: "msg".to_owned(),
        }
    }

    #[test]
    fn display_forms() {
        assert_eq!(diag("a.b", None, None).to_string(), "a.b: msg");
        assert_eq!(
            diag("", Some(3), Some(7)).to_string(),
            "line 3, column 7: msg"
        );
        assert_eq!(
            diag("functions[0].args[4].type", Some(12), Some(30)).to_string(),
            "functions[0].args[4].type (line 12, column 30): msg"
        );
        assert_eq!(diag("", None, None).to_string(), "(document): msg");
        let all = Diagnostics(vec![diag("a", None, None), diag("b", None, None)]);
        assert_eq!(all.to_string(), "a: msg\nb: msg");
    }
}
