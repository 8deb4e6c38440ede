//! `bindings.json` text → [`Manifest`], or every problem found in it.
//!
//! serde_json turns the text into a `Value` (a syntax error is the one diagnostic then);
//! the [`Checker`] walks that value by hand with a path, so that it can report every
//! problem at once, each saying what it found and what it expected, at the line and
//! column that [`Spans`] recorded. While walking it fills "drafts": the model with an
//! `Option` wherever a value could be missing or of the wrong JSON type. Only when no
//! diagnostic was recorded are the drafts turned into the [`Manifest`].

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::diagnostic::{Diagnostic, Diagnostics};
use super::model::{ApiFunction, ApiKind, Arg, CType, Export, Function, Library, Manifest, Python};
use super::spans::{child_index, child_key, Pos, Spans};
use super::suggest::did_you_mean;
use crate::names;

/// `library.env_var` when the manifest leaves it out.
pub const DEFAULT_ENV_VAR: &str = "VIX_LIB_PATH";

const TOP_KEYS: &[&str] = &["$schema", "library", "symbol_prefix", "functions", "python"];
const LIBRARY_KEYS: &[&str] = &["name", "env_var", "search_paths"];
const FUNCTION_KEYS: &[&str] = &["name", "symbol", "restype", "args", "doc"];
const ARG_KEYS: &[&str] = &["name", "type"];
const PYTHON_KEYS: &[&str] = &["package", "exports", "api"];
const API_KEYS: &[&str] = &["name", "calls", "kind", "doc"];

/// Parses and validates a `bindings.json`.
///
/// On success every name, reference and signature in the [`Manifest`] has been checked:
/// the format and defaults of ABI v1, no unknown keys, names by the policy of
/// [`crate::names`], no duplicates, every `calls` resolved, and each called function's
/// signature as its API kind needs. On failure the
/// [`Diagnostics`] list every problem found, in document order; a JSON syntax error is
/// reported alone, with its line and column.
pub fn parse(text: &str) -> Result<Manifest, Diagnostics> {
    // Some Windows editors start UTF-8 files with a byte-order mark; serde_json does not
    // accept one, and it is invisible in the editor, so columns are counted without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value =
        serde_json::from_str(text).map_err(|e| Diagnostics(vec![syntax_error(text, &e)]))?;
    let spans = Spans::scan(text);
    let mut checker = Checker {
        spans: &spans,
        diagnostics: Vec::new(),
    };
    for duplicate in spans.duplicates() {
        checker.push(
            &duplicate.path,
            Some(duplicate.pos),
            format!(
                "duplicate key {:?}: JSON keeps only the last value, so an earlier one \
                 would be silently ignored",
                duplicate.key
            ),
        );
    }
    let draft = checker.document(&value);
    checker.finish(draft)
}

fn syntax_error(text: &str, error: &serde_json::Error) -> Diagnostic {
    if text.trim().is_empty() {
        return Diagnostic {
            path: String::new(),
            line: Some(1),
            column: Some(1),
            message: "the document is empty (expected a JSON object)".to_owned(),
        };
    }
    let line = error.line();
    let byte_column = error.column();
    let line_text = text.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
    // serde_json counts bytes; editors count characters.
    let mut end = byte_column.min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    let column = line_text[..end].chars().count().max(1);
    let at_error = line_text.get(byte_column.saturating_sub(1)..).unwrap_or("");
    let full = error.to_string();
    let suffix = format!(" at line {line} column {byte_column}");
    let serde_message = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = if at_error.starts_with("//") || at_error.starts_with("/*") {
        "comments are not allowed".to_owned()
    } else if serde_message == "EOF while parsing a value" {
        "the document ends where a value was expected".to_owned()
    } else if let Some(what) = serde_message.strip_prefix("EOF while parsing ") {
        format!("the document ends inside {what}")
    } else {
        serde_message.to_owned()
    };
    Diagnostic {
        path: String::new(),
        line: Some(line.max(1)),
        column: Some(column),
        message: format!("invalid JSON: {message}"),
    }
}

/// What a JSON value is, for "found …" in messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({s:?})"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A valid prefix close to a refused one: `"demo-"` → `"demo_"`.
fn prefix_example(prefix: &str) -> String {
    let fixed: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if names::is_c_identifier(&fixed) && fixed.chars().any(|c| c.is_ascii_alphanumeric()) {
        fixed
    } else {
        "mylib_".to_owned()
    }
}

fn quoted_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

fn type_names() -> impl Iterator<Item = &'static str> {
    CType::ALL.into_iter().map(CType::manifest_name)
}

fn kind_names() -> impl Iterator<Item = &'static str> {
    ApiKind::ALL.into_iter().map(ApiKind::manifest_name)
}

// ---------------------------------------------------------------------------------------
// Drafts: the model with `None` wherever the manifest had no usable value (a diagnostic
// says why). Names that break the naming policy are kept, so that references to them do
// not cause follow-up errors; the diagnostics already refuse the manifest.

struct DocumentDraft {
    library: Option<LibraryDraft>,
    symbol_prefix: Option<String>,
    functions: Option<Vec<FunctionDraft>>,
    python: Option<PythonDraft>,
}

struct LibraryDraft {
    name: Option<String>,
    env_var: Option<String>,
    search_paths: Option<Vec<String>>,
}

#[derive(Default)]
struct FunctionDraft {
    name: Option<String>,
    /// Whether the name passed the naming policy.
    name_ok: bool,
    symbol: Option<String>,
    symbol_given: bool,
    restype: Option<CType>,
    restype_given: bool,
    args: Option<Vec<ArgDraft>>,
    doc: Option<String>,
    /// `doc` was present but not a string.
    doc_bad: bool,
}

#[derive(Default)]
struct ArgDraft {
    name: Option<String>,
    ty: Option<CType>,
}

struct PythonDraft {
    package: Option<String>,
    exports: Option<Vec<Export>>,
    api: Option<Vec<ApiDraft>>,
}

#[derive(Default)]
struct ApiDraft {
    name: Option<String>,
    calls: Option<usize>,
    kind: Option<ApiKind>,
    doc: Option<String>,
    doc_bad: bool,
}

impl DocumentDraft {
    fn build(self) -> Option<Manifest> {
        let library = self.library?;
        let python = self.python?;
        Some(Manifest {
            library: Library {
                name: library.name?,
                env_var: library.env_var?,
                search_paths: library.search_paths?,
            },
            symbol_prefix: self.symbol_prefix?,
            functions: self
                .functions?
                .into_iter()
                .map(FunctionDraft::build)
                .collect::<Option<_>>()?,
            python: Python {
                package: python.package?,
                exports: python.exports?,
                api: python
                    .api?
                    .into_iter()
                    .map(ApiDraft::build)
                    .collect::<Option<_>>()?,
            },
        })
    }
}

impl FunctionDraft {
    fn build(self) -> Option<Function> {
        if self.doc_bad {
            return None;
        }
        Some(Function {
            name: self.name?,
            symbol: self.symbol?,
            restype: self.restype?,
            args: self
                .args?
                .into_iter()
                .map(|a| {
                    Some(Arg {
                        name: a.name?,
                        ty: a.ty?,
                    })
                })
                .collect::<Option<_>>()?,
            doc: self.doc,
        })
    }
}

impl ApiDraft {
    fn build(self) -> Option<ApiFunction> {
        if self.doc_bad {
            return None;
        }
        Some(ApiFunction {
            name: self.name?,
            calls: self.calls?,
            kind: self.kind?,
            doc: self.doc,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Signatures the API kinds need.

/// One argument position of a [`Shape`].
#[derive(Clone, Copy)]
enum Slot {
    /// A data pointer: `u8_ptr`, `char_ptr` or `void_ptr`.
    Pointer,
    Exactly(CType),
}

const POINTER_TYPES: [CType; 3] = [CType::U8Ptr, CType::CharPtr, CType::VoidPtr];

impl Slot {
    fn accepts(self, ty: CType) -> bool {
        match self {
            Slot::Pointer => POINTER_TYPES.contains(&ty),
            Slot::Exactly(t) => t == ty,
        }
    }

    fn describe(self, separator: &str) -> String {
        match self {
            Slot::Pointer => {
                let names: Vec<_> = POINTER_TYPES.iter().map(|t| t.manifest_name()).collect();
                if separator == "|" {
                    names.join("|")
                } else {
                    format!("{}, {} or {}", names[0], names[1], names[2])
                }
            }
            Slot::Exactly(t) => t.manifest_name().to_owned(),
        }
    }
}

/// The C signature an API kind calls.
struct Shape {
    name: &'static str,
    restypes: &'static [CType],
    args: &'static [(&'static str, Slot)],
}

const OPERATION_SHAPE: Shape = Shape {
    name: "the operation shape",
    restypes: &[CType::Int, CType::Int32],
    args: &[
        ("in_ptr", Slot::Pointer),
        ("in_len", Slot::Exactly(CType::SizeT)),
        ("out_ptr", Slot::Pointer),
        ("out_cap", Slot::Exactly(CType::SizeT)),
        ("out_len", Slot::Exactly(CType::SizeTPtr)),
        ("out_status", Slot::Exactly(CType::VixStatusPtr)),
    ],
};

const VERSION_SHAPE: Shape = Shape {
    name: "the version shape",
    restypes: &[CType::VixStr],
    args: &[("out_status", Slot::Exactly(CType::VixStatusPtr))],
};

impl Shape {
    fn of(kind: ApiKind) -> &'static Shape {
        if kind.is_operation() {
            &OPERATION_SHAPE
        } else {
            &VERSION_SHAPE
        }
    }

    fn restypes_text(&self) -> String {
        let names: Vec<_> = self.restypes.iter().map(|t| t.manifest_name()).collect();
        names.join(" or ")
    }

    fn args_text(&self) -> String {
        let args: Vec<_> = self
            .args
            .iter()
            .map(|(name, slot)| format!("{name}: {}", slot.describe("|")))
            .collect();
        format!("({})", args.join(", "))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

// ---------------------------------------------------------------------------------------
// The walk.

struct Checker<'s> {
    spans: &'s Spans,
    diagnostics: Vec<Diagnostic>,
}

/// The path of the object or array that holds `path`.
fn parent(path: &str) -> &str {
    &path[..path.rfind(['.', '[']).unwrap_or(0)]
}

impl Checker<'_> {
    fn push(&mut self, path: &str, pos: Option<Pos>, message: String) {
        self.diagnostics.push(Diagnostic {
            path: if path.is_empty() {
                "(document)".to_owned()
            } else {
                path.to_owned()
            },
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message,
        });
    }

    /// Where the value at `path` starts, or else its key, or else the nearest enclosing
    /// value (for a default that is wrong, or a missing key).
    fn position(&self, path: &str) -> Option<Pos> {
        let mut path = path;
        loop {
            if let Some(pos) = self.spans.value(path).or_else(|| self.spans.key(path)) {
                return Some(pos);
            }
            if path.is_empty() {
                return None;
            }
            path = parent(path);
        }
    }

    fn error(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.position(path);
        self.push(path, pos, message.into());
    }

    fn error_at_key(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.spans.key(path).or_else(|| self.position(path));
        self.push(path, pos, message.into());
    }

    fn finish(mut self, draft: Option<DocumentDraft>) -> Result<Manifest, Diagnostics> {
        if self.diagnostics.is_empty() {
            if let Some(manifest) = draft.and_then(DocumentDraft::build) {
                return Ok(manifest);
            }
            self.push(
                "",
                None,
                "internal error: the manifest passed every check but could not be built; \
                 please report this"
                    .to_owned(),
            );
        }
        // Stable: problems at one place keep the order in which they were found.
        self.diagnostics
            .sort_by_key(|d| (d.line.is_none(), d.line, d.column));
        Err(Diagnostics(self.diagnostics))
    }

    // --- JSON types ---

    fn object<'v>(
        &mut self,
        path: &str,
        value: &'v Value,
        allowed: &[&str],
        required: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.error(
                path,
                format!("expected an object, found {}", describe(value)),
            );
            return None;
        };
        // Sorted, whatever order the map keeps, so that output is reproducible.
        let mut unknown: Vec<&String> = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            self.error_at_key(
                &child_key(path, key),
                format!(
                    "unknown key {key:?} (allowed keys: {}){}",
                    quoted_list(allowed.iter().copied()),
                    did_you_mean(key, allowed.iter().copied())
                ),
            );
        }
        for key in required {
            if !map.contains_key(*key) {
                self.error(path, format!("missing required key {key:?}"));
            }
        }
        Some(map)
    }

    fn array<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v Vec<Value>> {
        let array = value.as_array();
        if array.is_none() {
            self.error(
                path,
                format!("expected an array, found {}", describe(value)),
            );
        }
        array
    }

    fn string<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v str> {
        let string = value.as_str();
        if string.is_none() {
            self.error(
                path,
                format!("expected a string, found {}", describe(value)),
            );
        }
        string
    }

    /// An optional free-text `doc`: `(value, present but not a string)`.
    fn doc(&mut self, path: &str, map: &Map<String, Value>) -> (Option<String>, bool) {
        match map.get("doc") {
            None => (None, false),
            Some(value) => match self.string(&child_key(path, "doc"), value) {
                Some(doc) => (Some(doc.to_owned()), false),
                None => (None, true),
            },
        }
    }

    fn ctype(&mut self, path: &str, value: &Value) -> Option<CType> {
        let name = self.string(path, value)?;
        let ty = CType::from_manifest_name(name);
        if ty.is_none() {
            self.error(
                path,
                format!(
                    "unknown type {name:?} (expected one of: {}){}",
                    quoted_list(type_names()),
                    did_you_mean(name, type_names())
                ),
            );
        }
        ty
    }

    /// A string that must be a C identifier.
    fn c_identifier(&mut self, path: &str, value: &Value) -> Option<String> {
        let name = self.string(path, value)?;
        if let Err(problem) = names::check_c_identifier(name) {
            self.error(path, problem.to_string());
        }
        Some(name.to_owned())
    }

    /// A string that must follow the binding-name policy; `(name, passed)`.
    fn binding_name(&mut self, path: &str, value: &Value) -> (Option<String>, bool) {
        let Some(name) = self.string(path, value) else {
            return (None, false);
        };
        let ok = match names::check_binding_name(name) {
            Ok(()) => true,
            Err(problem) => {
                self.error(path, problem.to_string());
                false
            }
        };
        (Some(name.to_owned()), ok)
    }

    // --- sections ---

    fn document(&mut self, root: &Value) -> Option<DocumentDraft> {
        let map = self.object("", root, TOP_KEYS, &["library", "functions", "python"])?;
        if let Some(schema) = map.get("$schema") {
            self.string("$schema", schema);
        }
        let library = map.get("library").and_then(|v| self.library("library", v));
        let symbol_prefix = match map.get("symbol_prefix") {
            None => Some(String::new()),
            Some(v) => self.symbol_prefix("symbol_prefix", v),
        };
        let functions = map
            .get("functions")
            .and_then(|v| self.functions("functions", v, symbol_prefix.as_deref()));
        let python = map
            .get("python")
            .and_then(|v| self.python("python", v, functions.as_deref()));
        Some(DocumentDraft {
            library,
            symbol_prefix,
            functions,
            python,
        })
    }

    fn library(&mut self, path: &str, value: &Value) -> Option<LibraryDraft> {
        let map = self.object(path, value, LIBRARY_KEYS, &["name"])?;
        let name = map
            .get("name")
            .and_then(|v| self.c_identifier(&child_key(path, "name"), v));
        let env_var = match map.get("env_var") {
            None => Some(DEFAULT_ENV_VAR.to_owned()),
            Some(v) => self.c_identifier(&child_key(path, "env_var"), v),
        };
        let search_paths = match map.get("search_paths") {
            None => Some(Vec::new()),
            Some(v) => self.search_paths(&child_key(path, "search_paths"), v),
        };
        Some(LibraryDraft {
            name,
            env_var,
            search_paths,
        })
    }

    fn search_paths(&mut self, path: &str, value: &Value) -> Option<Vec<String>> {
        let items = self.array(path, value)?;
        let mut paths = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = child_index(path, i);
            let Some(dir) = self.string(&item_path, item) else {
                continue;
            };
            if dir.is_empty() {
                self.error(
                    &item_path,
                    "the path is empty (expected a directory; relative ones are relative \
                     to the package folder)",
                );
            } else if dir.contains('\0') {
                self.error(
                    &item_path,
                    format!("{dir:?} contains a NUL character, which no file path can hold"),
                );
            }
            paths.push(dir.to_owned());
        }
        (paths.len() == items.len()).then_some(paths)
    }

    fn symbol_prefix(&mut self, path: &str, value: &Value) -> Option<String> {
        let prefix = self.string(path, value)?;
        if !prefix.is_empty() && !names::is_c_identifier(prefix) {
            self.error(
                path,
                format!(
                    "{prefix:?} is not a valid symbol prefix (expected \"\" or ASCII \
                     letters, digits and \"_\", not starting with a digit, such as {:?})",
                    prefix_example(prefix)
                ),
            );
            // No defaults or prefix checks from a broken prefix: they would only repeat
            // this diagnostic.
            return None;
        }
        Some(prefix.to_owned())
    }

    fn functions(
        &mut self,
        path: &str,
        value: &Value,
        prefix: Option<&str>,
    ) -> Option<Vec<FunctionDraft>> {
        let items = self.array(path, value)?;
        if items.is_empty() {
            self.error(
                path,
                "the list is empty (expected at least one function; a module exports at \
                 least its version function)",
            );
        }
        let mut drafts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            drafts.push(self.function(&child_index(path, i), item, prefix));
        }

        let mut first_by_name: HashMap<&str, usize> = HashMap::new();
        let mut repeated_names = HashSet::new();
        for (i, draft) in drafts.iter().enumerate() {
            let Some(name) = draft.name.as_deref() else {
                continue;
            };
            match first_by_name.get(name) {
                Some(&first) => {
                    repeated_names.insert(i);
                    self.error(
                        &format!("{path}[{i}].name"),
                        format!("function name {name:?} is already used by {path}[{first}]"),
                    );
                }
                None => {
                    first_by_name.insert(name, i);
                }
            }
        }

        let mut first_by_symbol: HashMap<&str, usize> = HashMap::new();
        for (i, draft) in drafts.iter().enumerate() {
            let Some(symbol) = draft.symbol.as_deref() else {
                continue;
            };
            let Some(&first) = first_by_symbol.get(symbol) else {
                first_by_symbol.insert(symbol, i);
                continue;
            };
            let first_name = drafts[first].name.as_deref().unwrap_or("?");
            if draft.symbol_given {
                self.error(
                    &format!("{path}[{i}].symbol"),
                    format!(
                        "symbol {symbol:?} is already used by {path}[{first}] ({first_name:?})"
                    ),
                );
            } else if !repeated_names.contains(&i) {
                self.error(
                    &format!("{path}[{i}].name"),
                    format!(
                        "the symbol defaults to symbol_prefix + name = {symbol:?}, which is \
                         already used by {path}[{first}] ({first_name:?}); set \"symbol\""
                    ),
                );
            }
        }
        Some(drafts)
    }

    fn function(&mut self, path: &str, value: &Value, prefix: Option<&str>) -> FunctionDraft {
        let mut draft = FunctionDraft::default();
        let Some(map) = self.object(path, value, FUNCTION_KEYS, &["name"]) else {
            return draft;
        };
        if let Some(v) = map.get("name") {
            (draft.name, draft.name_ok) = self.binding_name(&child_key(path, "name"), v);
        }

        match map.get("symbol") {
            Some(v) => {
                let symbol_path = child_key(path, "symbol");
                if let Some(symbol) = self.string(&symbol_path, v) {
                    let prefix = prefix.filter(|p| !p.is_empty());
                    if let Err(problem) = names::check_symbol(symbol) {
                        self.error(&symbol_path, problem.to_string());
                    } else if let Some(prefix) = prefix.filter(|p| !symbol.starts_with(p)) {
                        let example = match &draft.name {
                            Some(name) if draft.name_ok => format!(", such as \"{prefix}{name}\""),
                            _ => String::new(),
                        };
                        self.error(
                            &symbol_path,
                            format!(
                                "symbol {symbol:?} does not start with symbol_prefix \
                                 {prefix:?} (every exported symbol carries the package \
                                 prefix{example})"
                            ),
                        );
                    }
                    draft.symbol = Some(symbol.to_owned());
                    draft.symbol_given = true;
                }
            }
            None => {
                if let (Some(prefix), Some(name)) = (prefix, draft.name.as_deref()) {
                    let symbol = format!("{prefix}{name}");
                    if draft.name_ok && names::is_c_keyword(&symbol) {
                        self.error(
                            &child_key(path, "name"),
                            format!(
                                "the symbol defaults to symbol_prefix + name = {symbol:?}, a \
                                 C or C++ keyword, which a header cannot declare; set \
                                 \"symbol\" or \"symbol_prefix\""
                            ),
                        );
                    }
                    draft.symbol = Some(symbol);
                }
            }
        }

        match map.get("restype") {
            None => draft.restype = Some(CType::Int),
            Some(v) => {
                draft.restype = self.ctype(&child_key(path, "restype"), v);
                draft.restype_given = true;
            }
        }
        draft.args = match map.get("args") {
            None => Some(Vec::new()),
            Some(v) => self.args(&child_key(path, "args"), v),
        };
        (draft.doc, draft.doc_bad) = self.doc(path, map);
        draft
    }

    fn args(&mut self, path: &str, value: &Value) -> Option<Vec<ArgDraft>> {
        let items = self.array(path, value)?;
        let mut args = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let arg_path = child_index(path, i);
            let mut arg = ArgDraft::default();
            if let Some(map) = self.object(&arg_path, item, ARG_KEYS, &["name", "type"]) {
                if let Some(v) = map.get("name") {
                    arg.name = self.binding_name(&child_key(&arg_path, "name"), v).0;
                }
                if let Some(v) = map.get("type") {
                    let type_path = child_key(&arg_path, "type");
                    arg.ty = self.ctype(&type_path, v);
                    if arg.ty == Some(CType::Void) {
                        self.error(
                            &type_path,
                            "\"void\" is not an argument type (it is only valid as restype; \
                             a function without arguments has \"args\": [])",
                        );
                        arg.ty = None;
                    }
                }
            }
            args.push(arg);
        }

        let mut first_by_name: HashMap<&str, usize> = HashMap::new();
        for (i, arg) in args.iter().enumerate() {
            let Some(name) = arg.name.as_deref() else {
                continue;
            };
            match first_by_name.get(name) {
                Some(&first) => self.error(
                    &format!("{path}[{i}].name"),
                    format!("argument name {name:?} is already used by args[{first}]"),
                ),
                None => {
                    first_by_name.insert(name, i);
                }
            }
        }
        Some(args)
    }

    fn python(
        &mut self,
        path: &str,
        value: &Value,
        functions: Option<&[FunctionDraft]>,
    ) -> Option<PythonDraft> {
        let map = self.object(path, value, PYTHON_KEYS, &["package"])?;
        let package = map.get("package").and_then(|v| {
            let package_path = child_key(path, "package");
            let package = self.string(&package_path, v)?;
            if let Err(problem) = names::check_package_name(package) {
                self.error(&package_path, problem.to_string());
            }
            Some(package.to_owned())
        });
        let exports = match map.get("exports") {
            None => Some(vec![Export::Native]),
            Some(v) => self.exports(&child_key(path, "exports"), v),
        };
        let api = match map.get("api") {
            None => Some(Vec::new()),
            Some(v) => self.api(&child_key(path, "api"), v, functions),
        };
        Some(PythonDraft {
            package,
            exports,
            api,
        })
    }

    fn exports(&mut self, path: &str, value: &Value) -> Option<Vec<Export>> {
        let items = self.array(path, value)?;
        let allowed = [Export::Api, Export::Native].map(Export::module);
        let mut exports = Vec::new();
        let mut first_by_export: HashMap<Export, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = child_index(path, i);
            let Some(name) = self.string(&item_path, item) else {
                continue;
            };
            let export = match name {
                "api" => Export::Api,
                "_native" => Export::Native,
                _ => {
                    self.error(
                        &item_path,
                        format!(
                            "unknown export {name:?} (expected \"api\" or \"_native\"){}",
                            did_you_mean(name, allowed)
                        ),
                    );
                    continue;
                }
            };
            if let Some(&first) = first_by_export.get(&export) {
                self.error(
                    &item_path,
                    format!("{name:?} is listed twice (first at {path}[{first}])"),
                );
                continue;
            }
            first_by_export.insert(export, i);
            exports.push(export);
        }
        (exports.len() == items.len()).then_some(exports)
    }

    fn api(
        &mut self,
        path: &str,
        value: &Value,
        functions: Option<&[FunctionDraft]>,
    ) -> Option<Vec<ApiDraft>> {
        let items = self.array(path, value)?;
        let mut entries = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            entries.push(self.api_entry(&child_index(path, i), item, functions));
        }

        let mut first_by_name: HashMap<&str, usize> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some(name) = entry.name.as_deref() else {
                continue;
            };
            match first_by_name.get(name) {
                Some(&first) => self.error(
                    &format!("{path}[{i}].name"),
                    format!("API function name {name:?} is already used by {path}[{first}]"),
                ),
                None => {
                    first_by_name.insert(name, i);
                }
            }
        }

        if let Some(functions) = functions {
            self.check_signatures(path, &entries, functions);
        }
        Some(entries)
    }

    fn api_entry(
        &mut self,
        path: &str,
        value: &Value,
        functions: Option<&[FunctionDraft]>,
    ) -> ApiDraft {
        let mut entry = ApiDraft::default();
        let Some(map) = self.object(path, value, API_KEYS, &["name", "calls", "kind"]) else {
            return entry;
        };
        if let Some(v) = map.get("name") {
            entry.name = self.binding_name(&child_key(path, "name"), v).0;
        }
        if let Some(v) = map.get("calls") {
            let calls_path = child_key(path, "calls");
            if let (Some(target), Some(functions)) = (self.string(&calls_path, v), functions) {
                entry.calls = functions
                    .iter()
                    .position(|f| f.name.as_deref() == Some(target));
                if entry.calls.is_none() {
                    let names: Vec<&str> =
                        functions.iter().filter_map(|f| f.name.as_deref()).collect();
                    let known = if names.is_empty() {
                        "the manifest has no functions".to_owned()
                    } else {
                        format!("functions: {}", quoted_list(names.iter().copied()))
                    };
                    self.error(
                        &calls_path,
                        format!(
                            "calls {target:?}, but no function has that name ({known}){}",
                            did_you_mean(target, names.iter().copied())
                        ),
                    );
                }
            }
        }
        if let Some(v) = map.get("kind") {
            let kind_path = child_key(path, "kind");
            if let Some(kind) = self.string(&kind_path, v) {
                entry.kind = ApiKind::from_manifest_name(kind);
                if entry.kind.is_none() {
                    self.error(
                        &kind_path,
                        format!(
                            "unknown kind {kind:?} (expected one of: {}){}",
                            quoted_list(kind_names()),
                            did_you_mean(kind, kind_names())
                        ),
                    );
                }
            }
        }
        (entry.doc, entry.doc_bad) = self.doc(path, map);
        entry
    }

    /// Checks each called function against the shape its API kind needs, reporting at
    /// the function's own `restype`/`args`, once per function and shape.
    fn check_signatures(
        &mut self,
        api_path: &str,
        entries: &[ApiDraft],
        functions: &[FunctionDraft],
    ) {
        let mut checked = HashSet::new();
        for (j, entry) in entries.iter().enumerate() {
            let (Some(index), Some(kind)) = (entry.calls, entry.kind) else {
                continue;
            };
            if !checked.insert((index, kind.is_operation())) {
                continue;
            }
            let function = &functions[index];
            let function_path = format!("functions[{index}]");
            let name = function.name.as_deref().unwrap_or("?");
            let shape = Shape::of(kind);
            let caller = format!(
                "{api_path}[{j}] (kind {}) calls it with {}",
                kind.manifest_name(),
                shape.name
            );

            if let Some(restype) = function.restype.filter(|t| !shape.restypes.contains(t)) {
                let default = if function.restype_given {
                    ""
                } else {
                    " (the default when restype is absent)"
                };
                self.error(
                    &format!("{function_path}.restype"),
                    format!(
                        "{name:?} returns {}{default}, but {caller}, which needs {} here",
                        restype.manifest_name(),
                        shape.restypes_text()
                    ),
                );
            }

            let Some(args) = &function.args else {
                continue;
            };
            if args.len() != shape.args.len() {
                self.error(
                    &format!("{function_path}.args"),
                    format!(
                        "{name:?} has {}, but {caller}, which needs {}: {}",
                        plural(args.len(), "argument"),
                        shape.args.len(),
                        shape.args_text()
                    ),
                );
                continue;
            }
            for (k, (arg, (_, slot))) in args.iter().zip(shape.args).enumerate() {
                let Some(ty) = arg.ty.filter(|&t| !slot.accepts(t)) else {
                    continue;
                };
                let arg_name = arg.name.as_deref().unwrap_or("?");
                self.error(
                    &format!("{function_path}.args[{k}].type"),
                    format!(
                        "argument {arg_name:?} of {name:?} is {}, but {caller}, which needs {} \
                         here",
                        ty.manifest_name(),
                        slot.describe(", ")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn op_args() -> Value {
        json!([
            {"name": "in_ptr", "type": "u8_ptr"},
            {"name": "in_len", "type": "size_t"},
            {"name": "out_ptr", "type": "u8_ptr"},
            {"name": "out_cap", "type": "size_t"},
            {"name": "out_len", "type": "size_t_ptr"},
            {"name": "out_status", "type": "vix_status_ptr"}
        ])
    }

    /// A valid manifest to break one rule at a time.
    fn base() -> Value {
        json!({
            "library": {"name": "demo"},
            "symbol_prefix": "demo_",
            "functions": [
                {"name": "version", "symbol": "demo_ffi_version", "restype": "vix_str",
                 "args": [{"name": "out_status", "type": "vix_status_ptr"}]},
                {"name": "encode", "args": op_args()}
            ],
            "python": {
                "package": "demo_ffi",
                "api": [
                    {"name": "version", "calls": "version", "kind": "version"},
                    {"name": "encode", "calls": "encode", "kind": "bytes_to_str"}
                ]
            }
        })
    }

    fn parse_value(value: &Value) -> Result<Manifest, Diagnostics> {
        parse(&serde_json::to_string_pretty(value).unwrap())
    }

    /// The messages (without positions) of a manifest that must be refused.
    fn errors(value: &Value) -> Vec<String> {
        match parse_value(value) {
            Ok(manifest) => panic!("accepted: {manifest:#?}"),
            Err(diagnostics) => diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.path, d.message))
                .collect(),
        }
    }

    /// Asserts exactly one diagnostic, at `path`, whose message contains every `part`.
    #[track_caller]
    fn assert_one(value: &Value, path: &str, parts: &[&str]) {
        let errors = errors(value);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let (found_path, message) = errors[0].split_once(": ").unwrap();
        assert_eq!(found_path, path, "{errors:#?}");
        for part in parts {
            assert!(message.contains(part), "{part:?} not in {message:?}");
        }
    }

    #[test]
    fn the_example_manifest_parses() {
        let text = include_str!("../../../../examples/base64_ffi/bindings.json");
        let manifest = parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(manifest.library.name, "base64_ffi");
        assert_eq!(manifest.python.package, "base64_ffi");
        assert_eq!(manifest.python.exports, vec![Export::Api]);
        assert_eq!(manifest.functions.len(), 3);
        assert_eq!(manifest.functions[1].symbol, "base64_encode");
        assert_eq!(manifest.python.api[2].calls, 2);
        assert_eq!(manifest.python.api[2].kind, ApiKind::StrToBytes);
    }

    #[test]
    fn defaults() {
        let manifest = parse_value(&json!({
            "library": {"name": "demo"},
            "functions": [{"name": "encode", "args": op_args()}, {"name": "noargs"}],
            "python": {"package": "demo_ffi"}
        }))
        .unwrap();
        assert_eq!(manifest.library.env_var, "VIX_LIB_PATH");
        assert!(manifest.library.search_paths.is_empty());
        assert_eq!(manifest.symbol_prefix, "");
        let encode = &manifest.functions[0];
        assert_eq!(encode.symbol, "encode");
        assert_eq!(encode.restype, CType::Int);
        assert_eq!(encode.doc, None);
        assert_eq!(encode.args[4].ty, CType::SizeTPtr);
        assert!(manifest.functions[1].args.is_empty());
        assert_eq!(manifest.python.exports, vec![Export::Native]);
        assert!(manifest.python.api.is_empty());
    }

    #[test]
    fn explicit_values_and_schema_key() {
        let mut m = base();
        m["$schema"] = json!("https://example.invalid/bindings.schema.json");
        m["library"] = json!({"name": "demo", "env_var": "DEMO_LIB_DIR", "search_paths": ["lib", "/opt/demo"]});
        m["functions"][1]["doc"] = json!("Encode \"bytes\".\nSecond line.");
        m["python"]["exports"] = json!(["api", "_native"]);
        m["python"]["api"][1]["doc"] = json!("Doc.");
        let manifest = parse_value(&m).unwrap();
        assert_eq!(manifest.library.env_var, "DEMO_LIB_DIR");
        assert_eq!(manifest.library.search_paths, ["lib", "/opt/demo"]);
        assert_eq!(manifest.functions[1].symbol, "demo_encode");
        assert_eq!(
            manifest.functions[1].doc.as_deref(),
            Some("Encode \"bytes\".\nSecond line.")
        );
        assert_eq!(manifest.python.exports, vec![Export::Api, Export::Native]);
        assert_eq!(manifest.python.api[1].doc.as_deref(), Some("Doc."));
    }

    #[test]
    fn every_operation_kind_and_pointer_type() {
        let mut m = base();
        m["functions"][1]["args"][0]["type"] = json!("char_ptr");
        m["functions"][1]["args"][2]["type"] = json!("void_ptr");
        m["functions"][1]["restype"] = json!("int32");
        m["python"]["api"] = json!([
            {"name": "a", "calls": "encode", "kind": "bytes_to_str"},
            {"name": "b", "calls": "encode", "kind": "str_to_bytes"},
            {"name": "c", "calls": "encode", "kind": "bytes_to_bytes"},
            {"name": "d", "calls": "encode", "kind": "str_to_str"},
            {"name": "e", "calls": "version", "kind": "version"}
        ]);
        let manifest = parse_value(&m).unwrap();
        let kinds: Vec<_> = manifest.python.api.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, ApiKind::ALL);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = format!("\u{feff}{}", serde_json::to_string(&base()).unwrap());
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = parse("{\n  \"library\": {\"name\": \"x\",}\n}").unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err.0[0].line, Some(2));
        assert_eq!(err.0[0].column, Some(27));
        assert_eq!(
            err.to_string(),
            "line 2, column 27: invalid JSON: trailing comma"
        );
        let err = parse("  ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 1: the document is empty (expected a JSON object)"
        );
        let err = parse("{\"a\": \"é\" x}").unwrap_err();
        assert_eq!(err.0[0].column, Some(11), "{err}");
    }

    #[test]
    fn semantic_errors_have_positions() {
        let text = "{\n  \"library\": {\"name\": \"demo\"},\n  \"functions\": [{\"name\": \"len\"}],\n  \"python\": {\"package\": \"demo_ffi\"}\n}";
        let err = parse(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "functions[0].name (line 3, column 26): \"len\" is a Python builtin, which the \
             generated code would shadow; use another name such as \"len_\""
        );
    }

    #[test]
    fn root_must_be_an_object_with_required_keys() {
        assert_eq!(
            errors(&json!([])),
            ["(document): expected an object, found an array"]
        );
        assert_eq!(
            errors(&json!({})),
            [
                "(document): missing required key \"library\"",
                "(document): missing required key \"functions\"",
                "(document): missing required key \"python\"",
            ]
        );
    }

    #[test]
    fn unknown_keys_list_allowed_keys() {
        let mut m = base();
        m["fucntions"] = json!([]);
        assert_one(
            &m,
            "fucntions",
            &[
                "unknown key \"fucntions\"",
                "allowed keys: $schema, library",
                "did you mean \"functions\"?",
            ],
        );
        let mut m = base();
        m["functions"][1]["arg"] = json!([]);
        assert_one(&m, "functions[1].arg", &["did you mean \"args\"?"]);
        let mut m = base();
        m["python"]["api"][0]["kidn"] = json!("x");
        assert_one(
            &m,
            "python.api[0].kidn",
            &["allowed keys: name, calls, kind, doc"],
        );
        let mut m = base();
        m["library"]["path"] = json!("x");
        assert_one(
            &m,
            "library.path",
            &["allowed keys: name, env_var, search_paths"],
        );
        let mut m = base();
        m["functions"][0]["args"][0]["ty"] = json!("x");
        assert_one(&m, "functions[0].args[0].ty", &["allowed keys: name, type"]);
    }

    #[test]
    fn wrong_json_types() {
        let mut m = base();
        m["library"]["name"] = json!(3);
        assert_one(
            &m,
            "library.name",
            &["expected a string, found a number (3)"],
        );
        let mut m = base();
        m["functions"] = json!({});
        assert_one(&m, "functions", &["expected an array, found an object"]);
        let mut m = base();
        m["python"] = json!(null);
        assert_one(&m, "python", &["expected an object, found null"]);
        let mut m = base();
        m["$schema"] = json!(true);
        assert_one(
            &m,
            "$schema",
            &["expected a string, found a boolean (true)"],
        );
        let mut m = base();
        m["functions"][1]["doc"] = json!(["x"]);
        assert_one(
            &m,
            "functions[1].doc",
            &["expected a string, found an array"],
        );
        let mut m = base();
        m["python"]["api"][0]["doc"] = json!(1);
        assert_one(&m, "python.api[0].doc", &["expected a string"]);
    }

    #[test]
    fn duplicate_json_keys() {
        let text = r#"{"library": {"name": "a", "name": "b"}, "functions": [{"name": "f"}],
                       "python": {"package": "p_ffi"}}"#;
        let err = parse(text).unwrap_err();
        assert_eq!(err.len(), 1, "{err}");
        assert_eq!(err.0[0].path, "library.name");
        assert!(err.0[0].message.contains("duplicate key \"name\""));
        assert_eq!(err.0[0].column, Some(27));
    }

    #[test]
    fn library_rules() {
        let mut m = base();
        m["library"]["name"] = json!("base-64");
        assert_one(&m, "library.name", &["\"base-64\" is not a C identifier"]);
        let mut m = base();
        m["library"]["name"] = json!("");
        assert_one(&m, "library.name", &["empty"]);
        let mut m = base();
        m["library"]["env_var"] = json!("MY-PATH");
        assert_one(&m, "library.env_var", &["not a C identifier"]);
        let mut m = base();
        m["library"]["search_paths"] = json!(["ok", "", "a\u{0}b", 4]);
        assert_eq!(
            errors(&m),
            [
                "library.search_paths[1]: the path is empty (expected a directory; relative \
                 ones are relative to the package folder)",
                "library.search_paths[2]: \"a\\0b\" contains a NUL character, which no file \
                 path can hold",
                "library.search_paths[3]: expected a string, found a number (4)",
            ]
        );
        let mut m = base();
        m["library"] = json!({});
        assert_one(&m, "library", &["missing required key \"name\""]);
    }

    #[test]
    fn symbol_rules() {
        let mut m = base();
        m["symbol_prefix"] = json!("demo-");
        assert_one(
            &m,
            "symbol_prefix",
            &["\"demo-\" is not a valid symbol prefix"],
        );
        let mut m = base();
        m["functions"][1]["symbol"] = json!("encode");
        assert_one(
            &m,
            "functions[1].symbol",
            &[
                "does not start with symbol_prefix \"demo_\"",
                "such as \"demo_encode\"",
            ],
        );
        let mut m = base();
        m["functions"][1]["symbol"] = json!("demo encode");
        assert_one(&m, "functions[1].symbol", &["not a C identifier"]);
        let mut m = base();
        m["symbol_prefix"] = json!("");
        m["functions"][1]["symbol"] = json!("int");
        assert_one(&m, "functions[1].symbol", &["C or C++ keyword"]);
        let mut m = base();
        m["symbol_prefix"] = json!("");
        m["functions"][1]["name"] = json!("char");
        m["python"]["api"][1]["calls"] = json!("char");
        assert_one(
            &m,
            "functions[1].name",
            &["defaults to symbol_prefix + name = \"char\""],
        );
        // Without a prefix any C identifier is a valid symbol.
        let mut m = base();
        m["symbol_prefix"] = json!("");
        m["functions"][1]["symbol"] = json!("anything");
        assert!(parse_value(&m).is_ok());
    }

    #[test]
    fn duplicate_names_and_symbols() {
        let mut m = base();
        m["functions"][0]["name"] = json!("encode");
        let errs = errors(&m);
        assert!(
            errs.contains(
                &"functions[1].name: function name \"encode\" is already used by functions[0]"
                    .to_owned()
            ),
            "{errs:#?}"
        );
        // The defaulted symbol of the repeated name is not reported a second time.
        assert!(!errs.iter().any(|e| e.contains("symbol")), "{errs:#?}");

        let mut m = base();
        m["functions"][1]["symbol"] = json!("demo_ffi_version");
        assert_one(
            &m,
            "functions[1].symbol",
            &["symbol \"demo_ffi_version\" is already used by functions[0] (\"version\")"],
        );

        let mut m = base();
        m["functions"][1]["args"][1]["name"] = json!("in_ptr");
        assert_one(
            &m,
            "functions[1].args[1].name",
            &["argument name \"in_ptr\" is already used by args[0]"],
        );

        let mut m = base();
        m["python"]["api"][1]["name"] = json!("version");
        assert_one(
            &m,
            "python.api[1].name",
            &["API function name \"version\" is already used by python.api[0]"],
        );

        let mut m = base();
        m["python"]["exports"] = json!(["api", "api"]);
        assert_one(
            &m,
            "python.exports[1]",
            &["\"api\" is listed twice (first at python.exports[0])"],
        );
    }

    #[test]
    fn naming_policy() {
        for (name, part) in [
            (
                "class",
                "is a Python keyword; use another name such as \"class_\"",
            ),
            ("len", "is a Python builtin"),
            ("_encode", "starts with \"_\""),
            (
                "ctypes",
                "the generated _native.py/api.py define themselves",
            ),
            ("api", "the generated _native.py/api.py define themselves"),
            ("en-code", "not an ASCII Python identifier"),
            ("naïve", "not an ASCII Python identifier"),
        ] {
            let mut m = base();
            m["functions"][1]["name"] = json!(name);
            m["python"]["api"][1]["calls"] = json!(name);
            m["functions"][1]["symbol"] = json!("demo_encode");
            assert_one(&m, "functions[1].name", &[part]);

            let mut m = base();
            m["python"]["api"][1]["name"] = json!(name);
            assert_one(&m, "python.api[1].name", &[part]);

            let mut m = base();
            m["functions"][1]["args"][3]["name"] = json!(name);
            assert_one(&m, "functions[1].args[3].name", &[part]);
        }
    }

    #[test]
    fn package_rules() {
        for (package, part) in [
            (
                "base64",
                "standard-library module: with the package on PYTHONPATH",
            ),
            ("json", "use another name such as \"json_ffi\""),
            (
                "Email",
                "differs from the standard-library module \"email\" only in case",
            ),
            ("asyncore", "standard-library module"),
            ("__future__", "standard-library module"),
            ("test", "standard-library module"),
            ("_json", "standard-library module"),
            ("import", "Python keyword"),
            ("print", "Python builtin"),
            ("my-pkg", "not an ASCII Python identifier"),
            ("", "empty"),
        ] {
            let mut m = base();
            m["python"]["package"] = json!(package);
            assert_one(&m, "python.package", &[part]);
        }
        let mut m = base();
        m["python"] = json!({});
        assert_one(&m, "python", &["missing required key \"package\""]);
    }

    #[test]
    fn types_and_kinds() {
        let mut m = base();
        m["functions"][1]["args"][3]["type"] = json!("sizet");
        assert_one(
            &m,
            "functions[1].args[3].type",
            &[
                "unknown type \"sizet\" (expected one of: void, int, int32,",
                "did you mean \"size_t\"?",
            ],
        );
        let mut m = base();
        m["functions"][0]["restype"] = json!("string");
        assert_one(&m, "functions[0].restype", &["unknown type \"string\""]);
        let mut m = base();
        m["python"]["api"][1]["kind"] = json!("bytes_to_string");
        assert_one(
            &m,
            "python.api[1].kind",
            &["unknown kind \"bytes_to_string\" (expected one of: bytes_to_str, str_to_bytes, bytes_to_bytes, str_to_str, version)", "did you mean \"bytes_to_str\"?"],
        );
        let mut m = base();
        m["functions"][1]["args"][0]["type"] = json!("void");
        assert_one(
            &m,
            "functions[1].args[0].type",
            &["\"void\" is not an argument type"],
        );
        let mut m = base();
        m["python"]["exports"] = json!(["native"]);
        assert_one(
            &m,
            "python.exports[0]",
            &["unknown export \"native\"", "did you mean \"_native\"?"],
        );
    }

    #[test]
    fn calls_must_name_a_function() {
        let mut m = base();
        m["python"]["api"][1]["calls"] = json!("encdoe");
        assert_one(
            &m,
            "python.api[1].calls",
            &["calls \"encdoe\", but no function has that name (functions: version, encode); did you mean \"encode\"?"],
        );
    }

    #[test]
    fn functions_must_not_be_empty() {
        let mut m = base();
        m["functions"] = json!([]);
        m["python"]["api"] = json!([]);
        assert_one(&m, "functions", &["the list is empty"]);
    }

    #[test]
    fn operation_signature() {
        let mut m = base();
        m["functions"][1]["args"][4]["type"] = json!("size_t");
        assert_one(
            &m,
            "functions[1].args[4].type",
            &["argument \"out_len\" of \"encode\" is size_t, but python.api[1] (kind bytes_to_str) \
               calls it with the operation shape, which needs size_t_ptr here"],
        );
        let mut m = base();
        m["functions"][1]["args"][0]["type"] = json!("size_t");
        assert_one(
            &m,
            "functions[1].args[0].type",
            &["which needs u8_ptr, char_ptr or void_ptr here"],
        );
        let mut m = base();
        m["functions"][1]["restype"] = json!("void");
        assert_one(
            &m,
            "functions[1].restype",
            &["\"encode\" returns void, but python.api[1] (kind bytes_to_str) calls it with the operation shape, which needs int or int32 here"],
        );
        let mut m = base();
        m["functions"][1]["args"].as_array_mut().unwrap().pop();
        assert_one(
            &m,
            "functions[1].args",
            &[
                "\"encode\" has 5 arguments, but",
                "which needs 6: (in_ptr: u8_ptr|char_ptr|void_ptr, in_len: size_t,",
            ],
        );
        // Two kinds over one function: reported once.
        let mut m = base();
        m["functions"][1]["args"][4]["type"] = json!("size_t");
        m["python"]["api"][0] = json!({"name": "encode2", "calls": "encode", "kind": "str_to_str"});
        assert_eq!(errors(&m).len(), 1, "{:#?}", errors(&m));
    }

    #[test]
    fn version_signature() {
        let mut m = base();
        m["functions"][0]["restype"] = json!("int");
        assert_one(
            &m,
            "functions[0].restype",
            &["\"version\" returns int, but python.api[0] (kind version) calls it with the version shape, which needs vix_str here"],
        );
        let mut m = base();
        m["functions"][0].as_object_mut().unwrap().remove("restype");
        assert_one(
            &m,
            "functions[0].restype",
            &["returns int (the default when restype is absent)"],
        );
        let mut m = base();
        m["functions"][0]["args"] = json!([]);
        assert_one(
            &m,
            "functions[0].args",
            &[
                "\"version\" has 0 arguments",
                "which needs 1: (out_status: vix_status_ptr)",
            ],
        );
    }

    #[test]
    fn functions_without_api_entries_are_free_form() {
        let mut m = base();
        m["functions"][1]["args"][4]["type"] = json!("size_t");
        m["python"]["api"].as_array_mut().unwrap().pop();
        assert!(parse_value(&m).is_ok());
    }

    #[test]
    fn all_errors_at_once_in_document_order() {
        let mut m = base();
        m["library"]["name"] = json!("a b");
        m["functions"][1]["args"][4]["type"] = json!("size_t");
        m["python"]["package"] = json!("json");
        m["python"]["api"][0]["kind"] = json!("versoin");
        let errs = errors(&m);
        let paths: Vec<_> = errs.iter().map(|e| e.split_once(": ").unwrap().0).collect();
        // to_string_pretty writes keys in sorted order: functions, library, python.
        assert_eq!(
            paths,
            [
                "functions[1].args[4].type",
                "library.name",
                "python.api[0].kind",
                "python.package",
            ]
        );
    }
}
