//! The manifest and the C header of a [`Library`], as text.
//!
//! Doc comments go to both: the first paragraph (the summary) becomes the manifest's
//! `doc`, which `gen-python` turns into the docstring; the whole comment heads the
//! function's declaration in the header, followed by what the signature implies (text
//! input or output, ASCII output when the attribute promises it, the size of the result
//! when the attribute declares `output_blocks`, when a too-small buffer is answered).
//!
//! The manifest is written by hand rather than through serde, in the layout of the
//! project's hand-written manifests (one argument per line, short objects on one line),
//! so that a generated manifest reads like one and diffs well.

use minijinja::{context, AutoEscape, Environment};
use serde::Serialize;
use vix_ffi_syntax::{Input, Kind, OutputBlocks, Shape};

/// The arguments of the operation shape, as `bindings.json` types them.
const OPERATION_ARGS: [(&str, &str); 6] = [
    ("in_ptr", "u8_ptr"),
    ("in_len", "size_t"),
    ("out_ptr", "u8_ptr"),
    ("out_cap", "size_t"),
    ("out_len", "size_t_ptr"),
    ("out_status", "vix_status_ptr"),
];

/// Everything the manifest and the header say, gathered from `Cargo.toml` and the source.
#[derive(Clone, Debug)]
pub struct Library {
    /// `[package] name`.
    pub package: String,
    /// `[package] description`.
    pub description: Option<String>,
    /// The library's base name.
    pub name: String,
    /// `library.env_var`.
    pub env_var: String,
    /// `library.search_paths`.
    pub search_paths: Vec<String>,
    /// `symbol_prefix`.
    pub prefix: String,
    /// `python.package`.
    pub python_package: String,
    /// The exported functions, in source order.
    pub functions: Vec<Function>,
}

/// One exported function.
#[derive(Clone, Debug)]
pub struct Function {
    /// The manifest (and Python) name.
    pub name: String,
    /// The C symbol.
    pub symbol: String,
    /// What it is.
    pub what: What,
    /// Its doc comment.
    pub doc: Option<String>,
}

/// The two kinds of exported functions.
#[derive(Clone, Copy, Debug)]
pub enum What {
    /// `vix_str <prefix>ffi_version(vix_status *)`.
    Version,
    /// The operation shape.
    Operation {
        /// The Rust input type.
        input: Input,
        /// How the output is produced.
        shape: Shape,
        /// The `python.api` kind.
        kind: Kind,
        /// `ascii`: every successful output is ASCII (`"ascii": true` in `python.api`).
        ascii: bool,
        /// `output_blocks = (a, b)`: every successful output is `b * ceil(n / a)` bytes
        /// (`"output_blocks": {"in": a, "out": b}` in `python.api`).
        output_blocks: Option<OutputBlocks>,
    },
}

impl What {
    fn kind_name(self) -> &'static str {
        match self {
            What::Version => "version",
            What::Operation { kind, .. } => kind.manifest_name(),
        }
    }
}

impl Library {
    /// The header's folder under `include/`: the prefix without its final `_`.
    pub fn header_dir(&self) -> &str {
        self.prefix.strip_suffix('_').unwrap_or(&self.prefix)
    }

    /// The header's file name, `<library>.h`.
    pub fn header_file(&self) -> String {
        format!("{}.h", self.name)
    }

    /// `bindings.json`.
    pub fn manifest(&self) -> String {
        let mut out = String::new();
        out.push_str("{\n");
        out.push_str(&format!(
            "  \"library\": {{ \"name\": {}, \"env_var\": {}, \"search_paths\": {} }},\n",
            json(&self.name),
            json(&self.env_var),
            json_list(&self.search_paths)
        ));
        out.push_str(&format!("  \"symbol_prefix\": {},\n", json(&self.prefix)));
        out.push_str("  \"functions\": [\n");
        let functions: Vec<String> = self.functions.iter().map(manifest_function).collect();
        out.push_str(&functions.join(",\n"));
        out.push_str("\n  ],\n");
        out.push_str("  \"python\": {\n");
        out.push_str(&format!(
            "    \"package\": {},\n",
            json(&self.python_package)
        ));
        out.push_str("    \"exports\": [\"api\"],\n");
        out.push_str("    \"api\": [\n");
        let api: Vec<String> = self
            .functions
            .iter()
            .map(|f| {
                // Written only when given, so that other manifests stay as they were.
                let ascii = match f.what {
                    What::Operation { ascii: true, .. } => ", \"ascii\": true",
                    _ => "",
                };
                let blocks = match f.what {
                    What::Operation {
                        output_blocks: Some(b),
                        ..
                    } => format!(
                        ", \"output_blocks\": {{ \"in\": {}, \"out\": {} }}",
                        b.input, b.output
                    ),
                    _ => String::new(),
                };
                format!(
                    "      {{ \"name\": {name}, \"calls\": {name}, \"kind\": {}{ascii}{blocks} }}",
                    json(f.what.kind_name()),
                    name = json(&f.name)
                )
            })
            .collect();
        out.push_str(&api.join(",\n"));
        out.push_str("\n    ]\n  }\n}\n");
        out
    }

    /// The C header.
    pub fn header(&self) -> String {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.add_template("header.h", include_str!("templates/header.h.j2"))
            .expect("the header template parses");
        let summary = self
            .description
            .clone()
            .unwrap_or_else(|| format!("the Vix FFI library {}", self.name));
        let title = format!("{} - {}", self.header_file(), summary.trim_end_matches('.'));
        let functions: Vec<HeaderFunction> = self.functions.iter().map(header_function).collect();
        env.get_template("header.h")
            .expect("the header template is registered")
            .render(context! {
                title => comment_lines(&wrap(&format!("{title}."), 86)),
                package => self.package,
                guard => self.include_guard(),
                functions => functions,
            })
            .expect("the header template renders")
    }

    /// `<DIR>_<LIBRARY>_H`, from the header's path under `include/`.
    fn include_guard(&self) -> String {
        format!("{}_{}_H", self.header_dir(), self.name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    }
}

fn manifest_function(f: &Function) -> String {
    let mut fields = vec![format!("\"name\": {}", json(&f.name))];
    match f.what {
        What::Version => {
            fields.push(format!("\"symbol\": {}", json(&f.symbol)));
            fields.push("\"restype\": \"vix_str\"".into());
            fields.push(
                "\"args\": [{ \"name\": \"out_status\", \"type\": \"vix_status_ptr\" }]".into(),
            );
        }
        What::Operation { .. } => {
            fields.push("\"restype\": \"int\"".into());
            let args: Vec<String> = OPERATION_ARGS
                .iter()
                .map(|(name, ty)| format!("        {{ \"name\": \"{name}\", \"type\": \"{ty}\" }}"))
                .collect();
            fields.push(format!("\"args\": [\n{}\n      ]", args.join(",\n")));
        }
    }
    if let Some(doc) = &f.doc {
        fields.push(format!("\"doc\": {}", json(&summary(doc))));
    }
    format!("    {{\n      {}\n    }}", fields.join(",\n      "))
}

/// The first paragraph of a doc comment, its lines joined: what the function does, for
/// every reader. The rest usually speaks of buffers and status codes, which only C callers
/// see (Python's API sizes buffers and raises exceptions), so it goes to the header only.
pub fn summary(doc: &str) -> String {
    doc.lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn json_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json(s)).collect();
    format!("[{}]", items.join(", "))
}

/// One function as the header template shows it.
#[derive(Serialize)]
struct HeaderFunction {
    /// The lines of its comment, each `""` or starting with a space.
    comment: Vec<String>,
    /// The declaration, continuation lines aligned after the parenthesis.
    declaration: String,
}

fn header_function(f: &Function) -> HeaderFunction {
    let mut text = f.doc.clone().unwrap_or_default();
    let blocks_note: String;
    let mut notes: Vec<&str> = Vec::new();
    let declaration = match f.what {
        What::Version => {
            notes.push(
                "Returns a static UTF-8 string (not NUL-terminated, never freed) and writes an \
                 OK status when out_status is not NULL.",
            );
            format!(
                "VIX_FFI_API vix_str VIX_FFI_CALL {}(vix_status *out_status);",
                f.symbol
            )
        }
        What::Operation {
            input,
            shape,
            kind,
            ascii,
            output_blocks,
        } => {
            if input == Input::Str {
                notes.push("The input must be UTF-8 text: other bytes are VIX_STATUS_INVALID_ARG.");
            }
            if ascii {
                notes.push("The result is ASCII text (every byte below 0x80), not NUL-terminated.");
            } else if kind.returns_str() {
                notes.push("The result is UTF-8 text, not NUL-terminated.");
            }
            if let Some(blocks) = output_blocks {
                blocks_note = format!(
                    "Every successful result is exactly {} bytes.",
                    blocks_formula(blocks)
                );
                notes.push(&blocks_note);
            }
            notes.push(match shape {
                Shape::Sized => {
                    "The size of the result is known before any work is done: a too-small \
                     out_cap is answered at once."
                }
                Shape::Vec | Shape::String => {
                    "The size of the result is only known once the work is done: a too-small \
                     out_cap is answered after it."
                }
            });
            let head = format!("VIX_FFI_API int VIX_FFI_CALL {}(", f.symbol);
            let indent = " ".repeat(head.len());
            format!(
                "{head}const uint8_t *in_ptr, size_t in_len,\n\
                 {indent}uint8_t *out_ptr, size_t out_cap,\n\
                 {indent}size_t *out_len, vix_status *out_status);"
            )
        }
    };
    let notes = wrap(&notes.join(" "), 86);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&notes);
    HeaderFunction {
        comment: comment_lines(&text),
        declaration,
    }
}

/// `b * ceil(in_len / a)`, as simple as `a` and `b` allow.
fn blocks_formula(blocks: OutputBlocks) -> String {
    let blocks_of_input = match blocks.input {
        1 => "in_len".to_owned(),
        a => format!("ceil(in_len / {a})"),
    };
    match blocks.output {
        1 => blocks_of_input,
        b => format!("{b} * {blocks_of_input}"),
    }
}

/// The lines of a C block comment's body: escaped so that nothing ends the comment or
/// opens another one (`-Wcomment`) or forms a trigraph, each non-empty line after a space.
fn comment_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let safe = line
                .replace("*/", "* /")
                .replace("/*", "/ *")
                .replace("??", "? ?");
            if safe.is_empty() {
                safe
            } else {
                format!(" {safe}")
            }
        })
        .collect()
}

/// Greedy word wrap of one paragraph.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}
