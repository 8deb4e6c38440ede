//! Where each value and key of a JSON document starts, by path.
//!
//! `serde_json::Value` forgets positions, so after serde_json has accepted the text this
//! small scanner walks it once more and records the line and column of every value and
//! every object key under the same paths the validator uses (`functions[0].args[4].type`).
//! It also finds duplicate keys, which `Value` silently collapses to the last one.
//!
//! The scanner relies on the text being valid JSON (serde_json checked it first): on
//! anything else it stops early and only loses positions, never panics.

use std::collections::HashMap;

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A key that appears more than once in one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    /// Path of the repeated member.
    pub path: String,
    /// The key, decoded.
    pub key: String,
    /// Where the repeated (later) occurrence of the key starts.
    pub pos: Pos,
}

/// The positions of one document.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
    duplicates: Vec<DuplicateKey>,
}

/// The path of member `key` of the object at `parent`: `parent.key`, or `parent["k.y"]`
/// when the key is not a plain word (so paths stay unambiguous).
pub(crate) fn child_key(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    match (plain, parent.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{parent}.{key}"),
        (false, _) => format!("{parent}[{}]", serde_json::Value::from(key)),
    }
}

/// The path of element `index` of the array at `parent`.
pub(crate) fn child_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

impl Spans {
    /// Scans `text`, which serde_json has already parsed successfully.
    pub fn scan(text: &str) -> Spans {
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            line_start: 0,
            spans: Spans::default(),
        };
        // `None` only on text that is not valid JSON: keep what was found.
        let _ = scanner.value(String::new());
        scanner.spans
    }

    /// Where the value at `path` starts.
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.values.get(path).copied()
    }

    /// Where the key of the member at `path` starts.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied()
    }

    /// Every key repeated within one object, in document order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    line: usize,
    line_start: usize,
    spans: Spans,
}

impl Scanner<'_> {
    fn pos(&self) -> Pos {
        let column = self
            .text
            .get(self.line_start..self.at)
            .map_or(0, |s| s.chars().count());
        Pos {
            line: self.line,
            column: column + 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
            self.line_start = self.at + 1;
        }
        self.at += 1;
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(byte)).then(|| self.bump())
    }

    fn value(&mut self, path: String) -> Option<()> {
        self.skip_ws();
        let pos = self.pos();
        self.spans.values.insert(path.clone(), pos);
        match self.peek()? {
            b'{' => self.object(&path),
            b'[' => self.array(&path),
            b'"' => self.string().map(drop),
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// Skips a string, returning its raw text including quotes.
    fn string(&mut self) -> Option<&str> {
        let start = self.at;
        self.bump();
        loop {
            match self.peek()? {
                b'"' => {
                    self.bump();
                    return self.text.get(start..self.at);
                }
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                _ => self.bump(),
            }
        }
    }

    fn object(&mut self, path: &str) -> Option<()> {
        self.bump();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Some(());
        }
        let mut seen = HashMap::new();
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            let raw = self.string()?;
            let key: String = serde_json::from_str(raw).ok()?;
            let member = child_key(path, &key);
            if seen.insert(key.clone(), ()).is_some() {
                self.spans.duplicates.push(DuplicateKey {
                    path: member.clone(),
                    key,
                    pos: key_pos,
                });
            }
            self.spans.keys.insert(member.clone(), key_pos);
            self.expect(b':')?;
            self.value(member)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.bump(),
                b'}' => {
                    self.bump();
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &str) -> Option<()> {
        self.bump();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Some(());
        }
        let mut index = 0;
        loop {
            self.value(child_index(path, index))?;
            index += 1;
            self.skip_ws();
            match self.peek()? {
                b',' => self.bump(),
                b']' => {
                    self.bump();
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_by_path() {
        let text = "{\n  \"a\": [1, {\"b\": \"é\", \"c\": true}],\n  \"d\": null\n}";
        let spans = Spans::scan(text);
        assert_eq!(spans.value(""), Some(Pos { line: 1, column: 1 }));
        assert_eq!(spans.key("a"), Some(Pos { line: 2, column: 3 }));
        assert_eq!(spans.value("a"), Some(Pos { line: 2, column: 8 }));
        assert_eq!(
            spans.value("a[1].b"),
            Some(Pos {
                line: 2,
                column: 18
            })
        );
        // Columns count characters: "é" is one.
        assert_eq!(
            spans.value("a[1].c"),
            Some(Pos {
                line: 2,
                column: 28
            })
        );
        assert_eq!(spans.value("d"), Some(Pos { line: 3, column: 8 }));
        assert!(spans.duplicates().is_empty());
    }

    #[test]
    fn duplicate_and_odd_keys() {
        let text = r#"{"x": 1, "a.b": {"\u0078": 2}, "x": 3}"#;
        let spans = Spans::scan(text);
        assert_eq!(
            spans.value(r#"["a.b"].x"#),
            Some(Pos {
                line: 1,
                column: 28
            })
        );
        assert_eq!(
            spans.duplicates(),
            &[DuplicateKey {
                path: "x".to_owned(),
                key: "x".to_owned(),
                pos: Pos {
                    line: 1,
                    column: 32
                }
            }]
        );
    }

    #[test]
    fn paths() {
        assert_eq!(child_key("", "library"), "library");
        assert_eq!(child_key("library", "name"), "library.name");
        assert_eq!(child_key("", "$schema"), "$schema");
        assert_eq!(child_key("a", "b c"), r#"a["b c"]"#);
        assert_eq!(child_index("functions", 2), "functions[2]");
    }
}
