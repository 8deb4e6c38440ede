//! Python source literals for free text.
//!
//! Manifest names are validated identifiers and may be written into code as they are,
//! but `doc`, `library.search_paths` and the spec file name are free text: they only
//! reach generated code through these functions, which give a literal (or a comment)
//! whose value is exactly the text, whatever it holds.

use std::fmt::Write as _;

/// Whether `c` is written as an escape rather than as itself: control characters (which
/// Python would read as line breaks or strip, and terminals act upon), line and paragraph
/// separators, and invisible formatting characters such as bidirectional overrides (which
/// can make code read differently from what it does).
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Appends the Python escape sequence of `c` (valid in a non-raw `str` literal).
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32).unwrap(),
        c if (c as u32) < 0x1_0000 => write!(out, "\\u{:04x}", c as u32).unwrap(),
        c => write!(out, "\\U{:08x}", c as u32).unwrap(),
    }
}

/// A double-quoted Python `str` literal whose value is `text`.
///
/// Backslashes and double quotes are escaped, and so is every character of
/// `must_escape`; everything else (including non-ASCII letters) is written as itself in
/// the UTF-8 source.
pub fn str_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if must_escape(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python `bytes` literal whose value is `data`: printable ASCII as itself (with `\\`
/// and `"` escaped), every other byte as `\xNN`.
pub fn bytes_literal(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() + 3);
    out.push_str("b\"");
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// A triple-quoted docstring for `text`, for a body indented by `indent`.
///
/// The text is tidied as a docstring is: leading and trailing blank lines and trailing
/// whitespace of each line are dropped. Continuation lines are indented by `indent` (so
/// that `inspect.cleandoc`, which `help()` uses, gives the text back); backslashes are
/// doubled; characters of `must_escape` other than the line break are escaped, a tab
/// too; and a `"` is escaped when another `"` follows it or when it ends the text, so no
/// run of three quotes, and no quote before the closing ones, is left.
pub fn docstring(text: &str, indent: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    let lines = &lines[first..last.max(first)];
    let body = lines.join("\n");

    let mut out = String::with_capacity(body.len() + 8);
    out.push_str("\"\"\"");
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if matches!(chars.peek(), None | Some('"')) => out.push_str("\\\""),
            '\n' => {
                out.push('\n');
                if !matches!(chars.peek(), None | Some('\n')) {
                    out.push_str(indent);
                }
            }
            c if must_escape(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    if lines.len() > 1 {
        out.push('\n');
        out.push_str(indent);
    }
    out.push_str("\"\"\"");
    out
}

/// `text` made safe for the end of a `#` comment: the characters of [`must_escape`]
/// (line breaks above all) are written as escapes, everything else as itself.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if must_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_are_written_as_themselves() {
        assert_eq!(str_literal("VIX_LIB_PATH"), r#""VIX_LIB_PATH""#);
        assert_eq!(str_literal(""), r#""""#);
        assert_eq!(str_literal("../lib/ünï"), r#""../lib/ünï""#);
    }

    #[test]
    fn str_literal_escapes() {
        assert_eq!(str_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(str_literal("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(str_literal("\u{1}\u{7f}\u{85}"), r#""\x01\x7f\x85""#);
        assert_eq!(str_literal("\u{2028}\u{202e}"), r#""\u2028\u202e""#);
        assert_eq!(str_literal("\u{feff}"), r#""\ufeff""#);
        assert_eq!(str_literal("C:\\lib\\"), r#""C:\\lib\\""#);
    }

    #[test]
    fn one_line_docstrings() {
        assert_eq!(docstring("Encode bytes.", "    "), r#""""Encode bytes.""""#);
        assert_eq!(docstring("  padded  \n\n", "    "), r#""""  padded""""#);
        assert_eq!(docstring("", "    "), r#""""""""#);
    }

    #[test]
    fn multi_line_docstrings_are_indented() {
        assert_eq!(
            docstring("\nSummary.\n\nMore  \n  indented\n\n", "    "),
            "\"\"\"Summary.\n\n    More\n      indented\n    \"\"\""
        );
    }

    #[test]
    fn docstring_quotes_never_close_early() {
        assert_eq!(docstring(r#"say "hi""#, ""), r#""""say "hi\"""""#);
        assert_eq!(docstring(r#"a """ b"#, ""), r#""""a \"\"" b""""#);
        assert_eq!(docstring("\"\"\"", ""), r#""""\"\"\"""""#);
        assert_eq!(docstring("\"\"", ""), r#""""\"\"""""#);
        assert_eq!(docstring(r#"x''' "#, ""), r#""""x'''""""#);
    }

    #[test]
    fn docstring_escapes() {
        assert_eq!(docstring(r"C:\new", ""), r#""""C:\\new""""#);
        assert_eq!(docstring("a\tb\u{1b}[31m", ""), r#""""a\tb\x1b[31m""""#);
        assert_eq!(docstring("ends with \\", ""), r#""""ends with \\""""#);
        // A carriage return would be read as a line break by Python.
        assert_eq!(docstring("a\rb", ""), r#""""a\rb""""#);
        assert_eq!(docstring("\u{202e}evil", ""), r#""""\u202eevil""""#);
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        assert_eq!(comment_text("bindings.json"), "bindings.json");
        assert_eq!(comment_text("x.json\nimport os\r"), "x.json\\nimport os\\r");
    }
}
