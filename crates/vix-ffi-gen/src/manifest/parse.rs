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
use super::model::{
    ApiCall, ApiFunction, ApiKind, Arg, CType, Class, Export, Function, Library, LibraryError,
    Manifest, Output, OutputBlocks, Python, Signature,
};
use super::spans::{child_index, child_key, Pos, Spans};
use super::suggest::did_you_mean;
use crate::names;

/// `library.env_var` when the manifest leaves it out.
pub const DEFAULT_ENV_VAR: &str = "VIX_LIB_PATH";

const TOP_KEYS: &[&str] = &[
    "$schema",
    "library",
    "symbol_prefix",
    "functions",
    "errors",
    "classes",
    "python",
];
const LIBRARY_KEYS: &[&str] = &["name", "env_var", "search_paths"];
const FUNCTION_KEYS: &[&str] = &[
    "name", "symbol", "restype", "args", "params", "returns", "doc",
];
const ARG_KEYS: &[&str] = &["name", "type"];
const PYTHON_KEYS: &[&str] = &["package", "exports", "api"];
mod classes;
mod signature;

const API_KEYS: &[&str] = &["name", "calls", "kind", "ascii", "output_blocks", "doc"];
const BLOCKS_KEYS: &[&str] = &["in", "out"];

/// Parses and validates a `bindings.json`.
///
/// On success every name, reference and signature in the [`Manifest`] has been checked:
/// the format and defaults of ABI v1, no unknown keys, names by the policy of
/// [`crate::names`], no duplicates, every `calls` resolved, and each called function's
/// signature as its API kind needs. On failure the [`Diagnostics`] list every problem
/// found, in document order; a JSON syntax error is reported alone, with its line and
/// column.
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
        class_names: Vec::new(),
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

/// The C types a raw `args`/`restype` may name: not the handle types, which only typed
/// signatures make (from a class).
fn raw_types() -> impl Iterator<Item = CType> {
    CType::ALL
        .into_iter()
        .filter(|t| !matches!(t, CType::Handle | CType::HandlePtr))
}

fn type_names() -> impl Iterator<Item = &'static str> {
    raw_types().map(CType::manifest_name)
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
    errors: Option<Vec<LibraryError>>,
    classes: Option<Vec<Class>>,
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
    /// Declared with `params`/`returns` (ABI v1.1) rather than `args`/`restype`.
    typed: bool,
    /// The typed signature, once `params` and `returns` were read and found sound.
    signature: Option<Signature>,
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
    ascii: bool,
    output_blocks: Option<OutputBlocks>,
    blocks_bad: bool,
    doc: Option<String>,
    doc_bad: bool,
}

impl DocumentDraft {
    fn build(self) -> Option<Manifest> {
        let library = self.library?;
        let python = self.python?;
        let functions: Vec<Function> = self
            .functions?
            .into_iter()
            .map(FunctionDraft::build)
            .collect::<Option<_>>()?;
        let api = python
            .api?
            .into_iter()
            .map(|a| a.build(&functions))
            .collect::<Option<_>>()?;
        Some(Manifest {
            library: Library {
                name: library.name?,
                env_var: library.env_var?,
                search_paths: library.search_paths?,
            },
            symbol_prefix: self.symbol_prefix?,
            functions,
            errors: self.errors?,
            classes: self.classes?,
            python: Python {
                package: python.package?,
                exports: python.exports?,
                api,
            },
        })
    }
}

impl FunctionDraft {
    fn build(self) -> Option<Function> {
        if self.doc_bad || (self.typed && self.signature.is_none()) {
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
            signature: self.signature,
        })
    }
}

impl ApiDraft {
    fn build(self, functions: &[Function]) -> Option<ApiFunction> {
        if self.doc_bad || self.blocks_bad {
            return None;
        }
        let calls = self.calls?;
        let function = &functions[calls];
        if function.signature.is_some() == self.kind.is_some() {
            // Reported by api_entry: a typed function takes no kind, a raw one needs one.
            return None;
        }
        let call = match function.signature_for(self.kind) {
            Some(signature) => ApiCall::Typed(signature),
            None => ApiCall::Version,
        };
        Some(ApiFunction {
            name: self.name?,
            calls,
            kind: self.kind,
            call,
            ascii: self.ascii,
            output_blocks: self.output_blocks,
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
    /// The names of `classes` (empty where an entry has no usable name), read before
    /// anything else, so that parameter and result types can name a class wherever
    /// it is.
    class_names: Vec<String>,
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
        let ty = raw_types().find(|t| t.manifest_name() == name);
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
        if let Some(Value::Array(classes)) = map.get("classes") {
            self.class_names = classes
                .iter()
                .map(|c| {
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                })
                .collect();
        }
        let functions = map
            .get("functions")
            .and_then(|v| self.functions("functions", v, symbol_prefix.as_deref()));
        let classes = match map.get("classes") {
            None => Some(Vec::new()),
            Some(v) => self.classes("classes", v, symbol_prefix.as_deref()),
        };
        let errors = match map.get("errors") {
            None => Some(Vec::new()),
            Some(v) => self.errors("errors", v),
        };
        let python = map
            .get("python")
            .and_then(|v| self.python("python", v, functions.as_deref()));
        if let (Some(errors), Some(functions)) = (&errors, &functions) {
            for (i, error) in errors.iter().enumerate() {
                if let Some(f) = functions
                    .iter()
                    .position(|f| f.name.as_deref() == Some(error.name.as_str()))
                {
                    self.error(
                        &format!("errors[{i}].name"),
                        format!(
                            "exception name {:?} is already the name of the function \
                             functions[{f}]; both would be bound in the generated _native.py",
                            error.name
                        ),
                    );
                }
            }
        }
        if let Some(classes) = &classes {
            self.check_class_names(
                classes,
                errors.as_deref(),
                functions.as_deref(),
                python.as_ref(),
            );
        }
        if let (Some(errors), Some(api)) = (&errors, python.as_ref().and_then(|p| p.api.as_ref())) {
            for (j, entry) in api.iter().enumerate() {
                let Some(name) = entry.name.as_deref() else {
                    continue;
                };
                if let Some(i) = errors.iter().position(|e| e.name == name) {
                    self.error(
                        &format!("python.api[{j}].name"),
                        format!(
                            "API function name {name:?} is already the name of the exception \
                             errors[{i}]"
                        ),
                    );
                }
            }
        }
        Some(DocumentDraft {
            library,
            symbol_prefix,
            functions,
            errors,
            classes,
            python,
        })
    }

    /// A class's name is bound in `api.py` beside the API functions and exceptions, and
    /// its symbols beside the functions' symbols: none may clash.
    fn check_class_names(
        &mut self,
        classes: &[Class],
        errors: Option<&[LibraryError]>,
        functions: Option<&[FunctionDraft]>,
        python: Option<&PythonDraft>,
    ) {
        for (i, class) in classes.iter().enumerate() {
            let name_path = format!("classes[{i}].name");
            if let Some(e) = errors
                .into_iter()
                .flatten()
                .position(|e| e.name == class.name)
            {
                self.error(
                    &name_path,
                    format!(
                        "class name {:?} is already the name of the exception errors[{e}]",
                        class.name
                    ),
                );
            }
            let api = python.and_then(|p| p.api.as_deref()).unwrap_or_default();
            if let Some(a) = api
                .iter()
                .position(|a| a.name.as_deref() == Some(class.name.as_str()))
            {
                self.error(
                    &name_path,
                    format!(
                        "class name {:?} is already the name of the API function python.api[{a}]",
                        class.name
                    ),
                );
            }
            let symbols = class
                .init
                .iter()
                .chain(&class.methods)
                .map(|m| m.symbol.as_str())
                .chain([class.free_symbol.as_str()]);
            for symbol in symbols {
                let clash = functions.into_iter().flatten().position(|f| {
                    f.symbol.as_deref() == Some(symbol) || f.name.as_deref() == Some(symbol)
                });
                if let Some(f) = clash {
                    self.error(
                        &format!("classes[{i}]"),
                        format!(
                            "the class's symbol {symbol:?} is already the symbol or raw binding \
                             name of functions[{f}]"
                        ),
                    );
                }
            }
        }
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

        if map.contains_key("params") || map.contains_key("returns") {
            self.typed_signature(path, map, &mut draft);
            (draft.doc, draft.doc_bad) = self.doc(path, map);
            return draft;
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
        let Some(map) = self.object(path, value, API_KEYS, &["name", "calls"]) else {
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
        let called = entry.calls.zip(functions).map(|(i, f)| (i, &f[i]));
        if let Some((index, function)) = called {
            let name = function.name.as_deref().unwrap_or("?");
            if function.typed && map.contains_key("kind") {
                self.error_at_key(
                    &child_key(path, "kind"),
                    format!(
                        "functions[{index}] ({name:?}) declares its typed signature with \
                         \"params\"/\"returns\", which says what Python passes and gets: \
                         remove \"kind\""
                    ),
                );
                entry.kind = None;
            } else if !function.typed && !map.contains_key("kind") {
                self.error(
                    path,
                    format!(
                        "missing required key \"kind\" (functions[{index}] ({name:?}) is \
                         declared by its C arguments, so the kind says what Python passes and \
                         gets: one of {}; or declare the function with \"params\" and \
                         \"returns\")",
                        quoted_list(kind_names())
                    ),
                );
            }
        }
        // The typed signature Python calls, when the called function's is known.
        let typed_signature = called.and_then(|(_, f)| f.signature.as_ref());
        if let Some(v) = map.get("ascii") {
            let ascii_path = child_key(path, "ascii");
            match v.as_bool() {
                None => self.error(
                    &ascii_path,
                    format!("expected true or false, found {}", describe(v)),
                ),
                Some(true) if typed_signature.is_some_and(|s| s.output != Output::Str) => self
                    .error(
                        &ascii_path,
                        format!(
                            "\"ascii\" promises ASCII output, which only a function returning \
                             \"str\" has, not one returning {:?}",
                            typed_signature.map_or("?", |s| s.output.name())
                        ),
                    ),
                Some(true) => match entry.kind {
                    Some(kind) if !kind.takes_ascii_promise() => self.error(
                        &ascii_path,
                        format!(
                            "\"ascii\" promises ASCII output, which only kinds that return str \
                             from an output buffer have ({}), not kind {:?}",
                            quoted_list(
                                ApiKind::ALL
                                    .into_iter()
                                    .filter(|k| k.takes_ascii_promise())
                                    .map(ApiKind::manifest_name)
                            ),
                            kind.manifest_name(),
                        ),
                    ),
                    _ => entry.ascii = true,
                },
                Some(false) => {}
            }
        }
        if let Some(v) = map.get("output_blocks") {
            let blocks_path = child_key(path, "output_blocks");
            entry.output_blocks = self.output_blocks(&blocks_path, v);
            entry.blocks_bad = entry.output_blocks.is_none();
            if let Some(signature) = typed_signature {
                let buffers = signature.buffer_params().count();
                if !signature.output.is_buffer() || buffers != 1 {
                    self.error(
                        &blocks_path,
                        format!(
                            "\"output_blocks\" declares the size of a bytes or str output \
                             from the size of the one bytes or str input, but this function \
                             has {} and returns {:?}",
                            plural(buffers, "bytes or str input"),
                            signature.output.name()
                        ),
                    );
                    entry.blocks_bad = true;
                }
            }
            if let Some(kind) = entry.kind.filter(|k| !k.is_operation()) {
                self.error(
                    &blocks_path,
                    format!(
                        "\"output_blocks\" declares the size of an operation's output, which \
                         kind {:?} has not: only {} do",
                        kind.manifest_name(),
                        quoted_list(
                            ApiKind::ALL
                                .into_iter()
                                .filter(|k| k.is_operation())
                                .map(ApiKind::manifest_name)
                        ),
                    ),
                );
                entry.blocks_bad = true;
            }
        }
        (entry.doc, entry.doc_bad) = self.doc(path, map);
        entry
    }

    /// `{"in": a, "out": b}`, both whole numbers from 1 to 2^32 - 1.
    fn output_blocks(&mut self, path: &str, value: &Value) -> Option<OutputBlocks> {
        let map = self.object(path, value, BLOCKS_KEYS, BLOCKS_KEYS)?;
        let mut field = |key: &str, what: &str| {
            let v = map.get(key)?;
            let n = v
                .as_u64()
                .filter(|&n| n >= 1)
                .and_then(|n| u32::try_from(n).ok());
            if n.is_none() {
                self.error(
                    &child_key(path, key),
                    format!(
                        "expected the number of {what} bytes per block, a whole number from 1 \
                         to {}, found {}",
                        u32::MAX,
                        describe(v)
                    ),
                );
            }
            n
        };
        let input = field("in", "input");
        let output = field("out", "output");
        Some(OutputBlocks {
            input: input?,
            output: output?,
        })
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
mod tests;
