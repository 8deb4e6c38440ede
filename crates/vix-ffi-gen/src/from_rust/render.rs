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
use vix_ffi_signature::{ClassId, Default, Output, ParamType, Passing, Scalar, Signature};
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
    /// The library's own status codes, from its `LibraryError` enums, in source order.
    pub errors: Vec<LibraryError>,
    /// The exported classes, in source order: a [`ClassId`] is an index into it.
    pub classes: Vec<Class>,
}

/// An exported class (an `impl` block under `#[vix_ffi::export]`).
#[derive(Clone, Debug)]
pub struct Class {
    /// The Python class name.
    pub name: String,
    /// The C type, the stem of its symbols.
    pub c_name: String,
    /// The `impl` block's doc comment.
    pub doc: Option<String>,
    /// The constructor (`<c_name>_new`), if any.
    pub init: Option<Method>,
    /// The methods.
    pub methods: Vec<Method>,
    /// The constants, as `(Python name, value)`.
    pub constants: Vec<(String, Default)>,
}

/// A constructor or method; its signature's [`ClassId`]s index [`Library::classes`].
#[derive(Clone, Debug)]
pub struct Method {
    /// The Python name (`__init__` for the constructor).
    pub name: String,
    /// The C symbol.
    pub symbol: String,
    /// The typed signature.
    pub signature: Signature,
    /// The doc comment.
    pub doc: Option<String>,
}

/// One of the library's own status codes (a variant of a `LibraryError` enum).
#[derive(Clone, Debug)]
pub struct LibraryError {
    /// The code, from 1000.
    pub code: i32,
    /// The Python exception class.
    pub name: String,
    /// The standard Python class it also derives from.
    pub base: Option<String>,
    /// The variant's doc comment.
    pub doc: Option<String>,
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

/// The kinds of exported functions.
#[derive(Clone, Debug)]
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
    /// A typed signature (ABI v1.1): `params` and `returns` in the manifest, its C
    /// prototype from [`Signature::c_prototype`].
    Typed {
        /// The signature.
        signature: Signature,
        /// `ascii`: every successful text output is ASCII.
        ascii: bool,
        /// `output_blocks = (a, b)` of a writer with one buffer input.
        output_blocks: Option<OutputBlocks>,
        /// Whether the output's size is known before the work (a writer).
        sized: bool,
    },
}

impl What {
    /// The `kind` of its `python.api` entry; a typed function has none.
    fn kind_name(&self) -> Option<&'static str> {
        match self {
            What::Version => Some("version"),
            What::Operation { kind, .. } => Some(kind.manifest_name()),
            What::Typed { .. } => None,
        }
    }

    fn ascii(&self) -> bool {
        matches!(
            self,
            What::Operation { ascii: true, .. } | What::Typed { ascii: true, .. }
        )
    }

    fn output_blocks(&self) -> Option<OutputBlocks> {
        match self {
            What::Operation { output_blocks, .. } | What::Typed { output_blocks, .. } => {
                *output_blocks
            }
            What::Version => None,
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
        let functions: Vec<String> = self
            .functions
            .iter()
            .map(|f| manifest_function(f, &self.class_names()))
            .collect();
        out.push_str(&functions.join(",\n"));
        out.push_str("\n  ],\n");
        if !self.errors.is_empty() {
            let errors: Vec<String> = self.errors.iter().map(manifest_error).collect();
            out.push_str("  \"errors\": [\n");
            out.push_str(&errors.join(",\n"));
            out.push_str("\n  ],\n");
        }
        if !self.classes.is_empty() {
            let classes: Vec<String> = self
                .classes
                .iter()
                .map(|c| self.manifest_class(c))
                .collect();
            out.push_str("  \"classes\": [\n");
            out.push_str(&classes.join(",\n"));
            out.push_str("\n  ],\n");
        }
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
                let kind = match f.what.kind_name() {
                    Some(kind) => format!(", \"kind\": {}", json(kind)),
                    None => String::new(),
                };
                let ascii = if f.what.ascii() {
                    ", \"ascii\": true"
                } else {
                    ""
                };
                let blocks = match f.what.output_blocks() {
                    Some(b) => format!(
                        ", \"output_blocks\": {{ \"in\": {}, \"out\": {} }}",
                        b.input, b.output
                    ),
                    None => String::new(),
                };
                format!(
                    "      {{ \"name\": {name}, \"calls\": {name}{kind}{ascii}{blocks} }}",
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
        let c_names: Vec<String> = self.classes.iter().map(|c| c.c_name.clone()).collect();
        let mut functions: Vec<HeaderFunction> = self
            .functions
            .iter()
            .map(|f| header_function(f, &c_names))
            .collect();
        for class in &self.classes {
            functions.extend(header_class(class, &c_names));
        }
        let signatures = self
            .functions
            .iter()
            .filter_map(|f| match &f.what {
                What::Typed { signature, .. } => Some(signature),
                _ => None,
            })
            .chain(
                self.classes
                    .iter()
                    .flat_map(|c| c.init.iter().chain(&c.methods))
                    .map(|m| &m.signature),
            );
        let uses_bool = signatures.into_iter().any(|s| {
            s.c_params()
                .iter()
                .any(|p| p.ty.c_name().starts_with("bool"))
        });
        let errors: Vec<HeaderError> = self
            .errors
            .iter()
            .map(|e| HeaderError {
                name: format!("{}{}", self.prefix.to_ascii_uppercase(), screaming(&e.name)),
                code: e.code,
                comment: comment_lines(&wrap(
                    &format!(
                        "{}: {}{}",
                        e.name,
                        e.doc
                            .as_deref()
                            .map_or("a library error".to_owned(), self::summary),
                        match &e.base {
                            Some(base) => format!(" (Python: {} and {base})", e.name),
                            None => format!(" (Python: {})", e.name),
                        }
                    ),
                    80,
                )),
            })
            .collect();
        env.get_template("header.h")
            .expect("the header template is registered")
            .render(context! {
                title => comment_lines(&wrap(&format!("{title}."), 86)),
                package => self.package,
                guard => self.include_guard(),
                functions => functions,
                uses_bool => uses_bool,
                typed => self.functions.iter().any(|f| matches!(f.what, What::Typed { .. }))
                    || !self.errors.is_empty()
                    || !self.classes.is_empty(),
                errors => errors,
                classes => c_names,
            })
            .expect("the header template renders")
    }

    /// The Python name of each class, by [`ClassId`].
    fn class_names(&self) -> Vec<String> {
        self.classes.iter().map(|c| c.name.clone()).collect()
    }

    /// One entry of `classes`.
    fn manifest_class(&self, c: &Class) -> String {
        let names = self.class_names();
        let mut fields = vec![
            format!("\"name\": {}", json(&c.name)),
            format!("\"c_name\": {}", json(&c.c_name)),
        ];
        if let Some(doc) = &c.doc {
            fields.push(format!("\"doc\": {}", json(&summary(doc))));
        }
        if let Some(init) = &c.init {
            let mut init_fields = vec![params_json(&init.signature, &names, "")];
            if let Some(doc) = &init.doc {
                init_fields.push(format!("\"doc\": {}", json(&summary(doc))));
            }
            fields.push(format!(
                "\"init\": {}",
                short_object(&init_fields, "      ")
            ));
        }
        if !c.methods.is_empty() {
            let methods: Vec<String> = c
                .methods
                .iter()
                .map(|m| {
                    let mut f = vec![
                        format!("\"name\": {}", json(&m.name)),
                        params_json(&m.signature, &names, ""),
                        format!(
                            "\"returns\": {}",
                            json(&output_name(m.signature.output, &names))
                        ),
                    ];
                    if let Some(doc) = &m.doc {
                        f.push(format!("\"doc\": {}", json(&summary(doc))));
                    }
                    format!("        {}", short_object(&f, "        "))
                })
                .collect();
            fields.push(format!("\"methods\": [\n{}\n      ]", methods.join(",\n")));
        }
        if !c.constants.is_empty() {
            let constants: Vec<String> = c
                .constants
                .iter()
                .map(|(name, value)| format!("{}: {}", json(name), default_json(value)))
                .collect();
            fields.push(format!("\"constants\": {{ {} }}", constants.join(", ")));
        }
        format!("    {{\n      {}\n    }}", fields.join(",\n      "))
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

/// `RangeError` as `RANGE_ERROR`, for a `#define`.
fn screaming(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase));
        if boundary && !out.ends_with('_') {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn manifest_error(e: &LibraryError) -> String {
    let mut fields = vec![
        format!("\"code\": {}", e.code),
        format!("\"name\": {}", json(&e.name)),
    ];
    if let Some(base) = &e.base {
        fields.push(format!("\"base\": {}", json(base)));
    }
    if let Some(doc) = &e.doc {
        fields.push(format!("\"doc\": {}", json(&summary(doc))));
    }
    format!("    {{ {} }}", fields.join(", "))
}

/// A parameter of a typed signature, on one line of the manifest.
fn manifest_param(p: &vix_ffi_signature::Param, classes: &[String]) -> String {
    let ty = match p.ty {
        ParamType::Object(ClassId(c)) => classes[c as usize].clone(),
        other => other.name().to_owned(),
    };
    let mut fields = vec![
        format!("\"name\": {}", json(&p.name)),
        format!("\"type\": {}", json(&ty)),
    ];
    if p.optional {
        fields.push("\"optional\": true".into());
    }
    if let Some(d) = &p.default {
        fields.push(format!("\"default\": {}", default_json(d)));
    }
    // Only what differs from the manifest's own rule: keyword-only with a default,
    // by position or keyword without.
    match (p.passing, p.default.is_some()) {
        (Passing::PositionalOnly, _) => fields.push("\"positional_only\": true".into()),
        (Passing::KeywordOnly, false) => fields.push("\"keyword_only\": true".into()),
        (Passing::Either, true) => fields.push("\"keyword_only\": false".into()),
        _ => {}
    }
    format!("{{ {} }}", fields.join(", "))
}

/// A default as JSON: a bytes default is the text of its (UTF-8) bytes, which the
/// attribute checked.
fn default_json(d: &Default) -> String {
    match d {
        Default::Int(n) => n.to_string(),
        Default::Float(x) => {
            let text = serde_json::to_string(x).expect("a finite float serialises");
            if text.contains(['.', 'e', 'E']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        Default::Bool(b) => b.to_string(),
        Default::Str(s) => json(s),
        Default::Bytes(b) => json(&String::from_utf8_lossy(b)),
        Default::None => "null".to_owned(),
    }
}

/// `{ a, b }` on one line when short, else one field per line under `indent`, as the
/// project's hand-written manifests are laid out.
fn short_object(fields: &[String], indent: &str) -> String {
    let line = format!("{{ {} }}", fields.join(", "));
    if line.len() <= 100 {
        return line;
    }
    let fields: Vec<String> = fields
        .iter()
        .map(|f| {
            // A one-line parameter list is split into one parameter per line.
            match f
                .strip_prefix("\"params\": [")
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(inner) if !inner.is_empty() => format!(
                    "\"params\": [\n{indent}    {}\n{indent}  ]",
                    inner.replace("}, {", &format!("}},\n{indent}    {{"))
                ),
                _ => f.clone(),
            }
        })
        .collect();
    format!(
        "{{\n{indent}  {}\n{indent}}}",
        fields.join(&format!(",\n{indent}  "))
    )
}

/// The manifest's spelling of an output: a class by its name.
fn output_name(output: Output, classes: &[String]) -> String {
    match output {
        Output::Object(ClassId(c)) => classes[c as usize].clone(),
        other => other.name().to_owned(),
    }
}

/// `"params": [...]`, one parameter per line indented by `indent` (on one line when
/// there are none, or when `indent` is empty).
fn params_json(signature: &Signature, classes: &[String], indent: &str) -> String {
    let params: Vec<String> = signature
        .params
        .iter()
        .map(|p| format!("{indent}{}", manifest_param(p, classes)))
        .collect();
    if params.is_empty() {
        "\"params\": []".to_owned()
    } else if indent.is_empty() {
        format!("\"params\": [{}]", params.join(", "))
    } else {
        let close = &indent[..indent.len().saturating_sub(2)];
        format!("\"params\": [\n{}\n{close}]", params.join(",\n"))
    }
}

fn manifest_function(f: &Function, classes: &[String]) -> String {
    let mut fields = vec![format!("\"name\": {}", json(&f.name))];
    match &f.what {
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
        What::Typed { signature, .. } => {
            fields.push(params_json(signature, classes, "        "));
            fields.push(format!(
                "\"returns\": {}",
                json(&output_name(signature.output, classes))
            ));
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

/// One library status code as the header template shows it.
#[derive(Serialize)]
struct HeaderError {
    /// `<PREFIX>_<CLASS>`.
    name: String,
    /// Its value.
    code: i32,
    /// The lines of its comment.
    comment: Vec<String>,
}

/// One function as the header template shows it.
#[derive(Serialize)]
struct HeaderFunction {
    /// The lines of its comment, each `""` or starting with a space.
    comment: Vec<String>,
    /// The declaration, continuation lines aligned after the parenthesis.
    declaration: String,
}

/// The constructor, methods and free function of a class, as the header declares them.
fn header_class(class: &Class, c_names: &[String]) -> Vec<HeaderFunction> {
    let mut out = Vec::new();
    for m in class.init.iter().chain(&class.methods) {
        let mut notes = Vec::new();
        if m.signature.receiver.is_some() {
            notes.push(format!(
                "A method of {}: a NULL self is VIX_STATUS_INVALID_ARG. Calls on one object \
                 are serialized (a call waits for the one running on self).",
                class.c_name
            ));
        }
        if m.signature
            .params
            .iter()
            .any(|p| matches!(p.ty, ParamType::Object(_)))
        {
            notes.push(
                "An object argument is borrowed for the call: NULL (unless optional), in use \
                 by another call, or the same object twice, is VIX_STATUS_INVALID_ARG."
                    .to_owned(),
            );
        }
        if m.signature.output == Output::This {
            notes.push("Returns the object itself to Python (chaining).".to_owned());
        }
        typed_notes(&m.signature, false, None, false, &mut notes);
        let mut text = m.doc.clone().unwrap_or_default();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&wrap(&notes.join(" "), 86));
        out.push(HeaderFunction {
            comment: comment_lines(&text),
            declaration: typed_declaration(&m.signature, &m.symbol, c_names),
        });
    }
    let c = &class.c_name;
    out.push(HeaderFunction {
        comment: comment_lines(&wrap(
            &format!(
                "Releases an object of {c} (from {c}_new or a method that returns one); NULL \
                 does nothing. No call may be using the object, and it is not used afterwards."
            ),
            86,
        )),
        declaration: format!("VIX_FFI_API void VIX_FFI_CALL {c}_free({c} *self);"),
    });
    out
}

fn header_function(f: &Function, c_names: &[String]) -> HeaderFunction {
    let mut text = f.doc.clone().unwrap_or_default();
    let blocks_note: String;
    let mut owned_notes: Vec<String> = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    let declaration = match &f.what {
        What::Typed {
            signature,
            ascii,
            output_blocks,
            sized,
        } => {
            typed_notes(signature, *ascii, *output_blocks, *sized, &mut owned_notes);
            notes.extend(owned_notes.iter().map(String::as_str));
            typed_declaration(signature, &f.symbol, c_names)
        }
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
        &What::Operation {
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

/// The declaration of a typed function: [`Signature::c_prototype`] with the export
/// macros, one C parameter group per line (an input's pointer and length together, the
/// output's parameters together), aligned after the parenthesis.
fn typed_declaration(signature: &Signature, symbol: &str, c_names: &[String]) -> String {
    let prototype = signature.c_prototype_with(symbol, |c| c_names[c.0 as usize].clone());
    let inner = prototype
        .strip_prefix(&format!("int {symbol}("))
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("c_prototype writes `int <symbol>(...)`");
    let head = format!("VIX_FFI_API int VIX_FFI_CALL {symbol}(");
    let indent = " ".repeat(head.len());
    // `c_params` and the prototype list the same parameters in the same order.
    let decls: Vec<&str> = inner.split(", ").collect();
    let roles: Vec<_> = signature.c_params().iter().map(|p| p.role).collect();
    assert_eq!(decls.len(), roles.len(), "{prototype}");
    let mut lines: Vec<String> = Vec::new();
    for (decl, role) in decls.iter().zip(roles) {
        use vix_ffi_signature::Role;
        let joins_previous = matches!(role, Role::InputLen(_) | Role::OutCap | Role::OutLen);
        match lines.last_mut() {
            Some(line) if joins_previous => {
                line.push_str(", ");
                line.push_str(decl);
            }
            _ => lines.push((*decl).to_owned()),
        }
    }
    format!("{head}{});", lines.join(&format!(",\n{indent}")))
}

/// What the C caller needs to know of a typed function beyond its doc comment.
fn typed_notes(
    signature: &Signature,
    ascii: bool,
    output_blocks: Option<OutputBlocks>,
    sized: bool,
    notes: &mut Vec<String>,
) {
    let text: Vec<&str> = signature
        .params
        .iter()
        .filter(|p| p.ty == ParamType::Str)
        .map(|p| p.name.as_str())
        .collect();
    if !text.is_empty() {
        notes.push(format!(
            "{} must be UTF-8 text: other bytes are VIX_STATUS_INVALID_ARG.",
            text.iter()
                .map(|n| format!("{n}_ptr"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let flags: Vec<&str> = signature
        .params
        .iter()
        .filter(|p| p.ty == ParamType::Scalar(Scalar::Bool))
        .map(|p| p.name.as_str())
        .collect();
    if !flags.is_empty() {
        notes.push(format!(
            "{} must be 0 or 1: other values are VIX_STATUS_INVALID_ARG.",
            flags.join(", ")
        ));
    }
    match signature.output {
        Output::None | Output::This => {
            notes.push("There is no result besides the status.".to_owned());
        }
        Output::Object(_) => notes.push(
            "The new object is written to *out_handle on success only; the caller owns it \
             and releases it with its free function."
                .to_owned(),
        ),
        Output::Scalar(_) => notes.push(
            "The result is written to *out_value on success only; a NULL out_value is \
             VIX_STATUS_INVALID_ARG."
                .to_owned(),
        ),
        Output::Bytes | Output::Str => {
            if ascii {
                notes.push(
                    "The result is ASCII text (every byte below 0x80), not NUL-terminated."
                        .to_owned(),
                );
            } else if signature.output == Output::Str {
                notes.push("The result is UTF-8 text, not NUL-terminated.".to_owned());
            }
            if let (Some(blocks), Some(i)) = (output_blocks, signature.single_buffer()) {
                notes.push(format!(
                    "Every successful result is exactly {} bytes.",
                    blocks_formula_of(blocks, &format!("{}_len", signature.params[i].name))
                ));
            }
            notes.push(if sized {
                "The size of the result is known before any work is done: a too-small \
                 out_cap is answered at once."
                    .to_owned()
            } else {
                "The size of the result is only known once the work is done: a too-small \
                 out_cap is answered after it."
                    .to_owned()
            });
        }
    }
}

/// `b * ceil(in_len / a)`, as simple as `a` and `b` allow.
fn blocks_formula(blocks: OutputBlocks) -> String {
    blocks_formula_of(blocks, "in_len")
}

/// `b * ceil(<len> / a)`, as simple as `a` and `b` allow.
fn blocks_formula_of(blocks: OutputBlocks, len: &str) -> String {
    let blocks_of_input = match blocks.input {
        1 => len.to_owned(),
        a => format!("ceil({len} / {a})"),
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
    // A lone `*` (as in `2 * data_len`) stays with the words on both sides: at the start
    // of a comment line it would read as the comment's own star.
    let mut words: Vec<String> = Vec::new();
    let mut join_next = false;
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if join_next || word == "*" => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
        join_next = word == "*";
    }
    for word in &words {
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
