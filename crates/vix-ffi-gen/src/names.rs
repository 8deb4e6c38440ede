//! Identifier policy: which manifest names may reach generated code.
//!
//! This module is the one place that decides what a function, argument, API function,
//! package, library or symbol may be called. The manifest parser applies it to every name
//! before a [`crate::manifest::Manifest`] exists, so backends never see a name that could
//! be a syntax error, shadow a builtin, collide with a name the generated modules define
//! themselves, or shadow a standard-library module.
//!
//! The word lists come from data files under `src/names/`, each saying in its header
//! where it was taken from.

use std::fmt;

/// Names the generated `_native.py` and `api.py` define at module level themselves
/// (imports, ctypes mirrors, exceptions, loader results, status codes). A manifest
/// function or API function must not take one: it would replace the generated
/// definition, as a function named `load_library` silently did in the original.
pub const RESERVED_MODULE_NAMES: &[&str] = &[
    "annotations",
    "ctypes",
    "os",
    "sys",
    "typing",
    "TYPE_CHECKING",
    "Buffer",
    "Optional",
    "Union",
    "List",
    "Tuple",
    "VixStr",
    "VixBuf",
    "VixMutBuf",
    "VixStatus",
    "VixAllocator",
    "VixError",
    "InvalidArgumentError",
    "BufferTooSmallError",
    "NotSupportedError",
    "LibraryNotFoundError",
    "MissingSymbolError",
    "ENV_VAR",
    "LIBRARY_NAME",
    "LIBRARY_FILENAME",
    "LOADED_FROM",
    "library",
    "VIX_STATUS_OK",
    "VIX_STATUS_ERROR",
    "VIX_STATUS_INVALID_ARG",
    "VIX_STATUS_BUFFER_TOO_SMALL",
    "VIX_STATUS_NOT_SUPPORTED",
    "api",
    "Any",
    "Callable",
    "TypeVar",
    "VixAllocFn",
    "VixFreeFn",
    // _vix_base.py and __init__.py: the choice of the backend.
    "BACKEND",
    "BACKEND_ENV_VAR",
    "WHY_CTYPES",
    "use_extension",
    "abc",
    "importlib",
];

/// Python's hard keywords, the same from 3.8 to 3.13 (`keyword.kwlist`). The soft
/// keywords (`match`, `case`, `_`, `type`) are valid identifiers and are not listed.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Keywords of C (C11 and C23) and C++ (up to C++20): a symbol spelled like one cannot
/// be declared in a header that compiles as both.
const C_KEYWORDS: &[&str] = &[
    // C11
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    // C23
    "alignas",
    "alignof",
    "bool",
    "constexpr",
    "false",
    "nullptr",
    "static_assert",
    "thread_local",
    "true",
    "typeof",
    "typeof_unqual",
    "_BitInt",
    "_Decimal32",
    "_Decimal64",
    "_Decimal128",
    // C++
    "and",
    "and_eq",
    "asm",
    "bitand",
    "bitor",
    "catch",
    "char8_t",
    "char16_t",
    "char32_t",
    "class",
    "compl",
    "concept",
    "consteval",
    "constinit",
    "const_cast",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "delete",
    "dynamic_cast",
    "explicit",
    "export",
    "friend",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "reinterpret_cast",
    "requires",
    "static_cast",
    "template",
    "this",
    "throw",
    "try",
    "typeid",
    "typename",
    "using",
    "virtual",
    "wchar_t",
    "xor",
    "xor_eq",
];

/// One name per line; `#` comments and blank lines ignored.
const STDLIB_MODULES: &str = include_str!("names/stdlib_modules.txt");
/// One name per line; `#` comments and blank lines ignored.
const BUILTINS: &str = include_str!("names/builtins.txt");

fn list_entries(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether `name` is an ASCII Python identifier: `[A-Za-z_][A-Za-z0-9_]*`.
///
/// Python accepts non-ASCII identifiers too, but normalises them (NFKC), so two spellings
/// can name one object; generated code only uses ASCII names.
pub fn is_python_identifier(name: &str) -> bool {
    is_c_identifier(name)
}

/// Whether `name` is a hard keyword of Python 3.8 to 3.13 (`class`, `None`, `async`, …).
pub fn is_python_keyword(name: &str) -> bool {
    PYTHON_KEYWORDS.contains(&name)
}

/// Whether `name` is a public name of Python's `builtins` module (`len`, `bytes`,
/// `ValueError`, `exit`, …), from CPython 3.11 plus names added up to 3.13.
pub fn is_python_builtin(name: &str) -> bool {
    list_entries(BUILTINS).any(|entry| entry == name)
}

/// Whether `name` is a top-level standard-library module of CPython 3.8 to 3.13,
/// including private (`_json`), removed (`asyncore`, `distutils`, `imp`) and special ones
/// (`__future__`, `__main__`, `test`). Exact, case-sensitive comparison; see
/// [`stdlib_module_shadowed_by`] for case-insensitive file systems.
pub fn is_stdlib_module(name: &str) -> bool {
    list_entries(STDLIB_MODULES).any(|entry| entry == name)
}

/// The standard-library module that a top-level package named `name` would shadow on
/// a case-insensitive file system (Windows, macOS): `Some("json")` for `"JSON"` and for
/// `"json"`, `None` when there is none.
pub fn stdlib_module_shadowed_by(name: &str) -> Option<&'static str> {
    list_entries(STDLIB_MODULES).find(|entry| entry.eq_ignore_ascii_case(name))
}

/// Whether `name` is a plain C identifier: `[A-Za-z_][A-Za-z0-9_]*` (keywords are not
/// excluded; see [`is_c_keyword`]).
pub fn is_c_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(first) if first.is_ascii_alphabetic() || first == b'_' => {
            bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    }
}

/// Whether `name` is a keyword of C (C11, C23) or C++ (up to C++20).
pub fn is_c_keyword(name: &str) -> bool {
    C_KEYWORDS.contains(&name)
}

/// Whether `name` is one of [`RESERVED_MODULE_NAMES`].
pub fn is_reserved_module_name(name: &str) -> bool {
    RESERVED_MODULE_NAMES.contains(&name)
}

/// Why a name was refused. Its `Display` quotes the name, says what is wrong and, where
/// one exists, suggests a name that would pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// The name is the empty string.
    Empty {
        /// What was expected, e.g. "a Python identifier".
        expected: &'static str,
    },
    /// Not `[A-Za-z_][A-Za-z0-9_]*`, where a Python name was expected.
    NotPythonIdentifier(String),
    /// Not `[A-Za-z_][A-Za-z0-9_]*`, where a C name was expected.
    NotCIdentifier(String),
    /// A Python keyword.
    PythonKeyword(String),
    /// A public name of `builtins`.
    PythonBuiltin(String),
    /// Starts with `_`, which generated modules keep for their private helpers.
    Private(String),
    /// A `__dunder__` name, which Python reserves.
    Dunder(String),
    /// One of [`RESERVED_MODULE_NAMES`].
    Reserved(String),
    /// A standard-library module name (`module` is the module's own spelling, which may
    /// differ from the name in case).
    StdlibModule {
        /// The refused name.
        name: String,
        /// The standard-library module it shadows.
        module: &'static str,
    },
    /// A C or C++ keyword.
    CKeyword(String),
}

const IDENTIFIER_SHAPE: &str = "ASCII letters, digits and \"_\", not starting with a digit";

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty { expected } => write!(f, "the name is empty (expected {expected})"),
            NameError::NotPythonIdentifier(name) => write!(
                f,
                "{name:?} is not an ASCII Python identifier (expected {IDENTIFIER_SHAPE})"
            ),
            NameError::NotCIdentifier(name) => {
                write!(
                    f,
                    "{name:?} is not a C identifier (expected {IDENTIFIER_SHAPE})"
                )
            }
            NameError::PythonKeyword(name) => write!(
                f,
                "{name:?} is a Python keyword; use another name such as \"{name}_\""
            ),
            NameError::PythonBuiltin(name) => write!(
                f,
                "{name:?} is a Python builtin, which the generated code would shadow; \
                 use another name such as \"{name}_\""
            ),
            NameError::Private(name) => write!(
                f,
                "{name:?} starts with \"_\", which the generated modules keep for their \
                 private helpers; use a name without the leading underscore"
            ),
            NameError::Dunder(name) => write!(
                f,
                "{name:?} is a dunder name, which Python reserves for itself"
            ),
            NameError::Reserved(name) => write!(
                f,
                "{name:?} is a name the generated _native.py/api.py define themselves; \
                 use another name such as \"{name}_\""
            ),
            NameError::StdlibModule { name, module } if name == module => write!(
                f,
                "{name:?} is the name of a standard-library module: with the package on \
                 PYTHONPATH, every \"import {module}\" would load it instead (a package \
                 named \"base64\" broke email, pip and pytest this way), and elsewhere the \
                 standard library would hide it; use another name such as \"{name}_ffi\""
            ),
            NameError::StdlibModule { name, module } => write!(
                f,
                "{name:?} differs from the standard-library module {module:?} only in \
                 case: on case-insensitive file systems (Windows, macOS) every \
                 \"import {module}\" would load the package instead; use another name such \
                 as \"{name}_ffi\""
            ),
            NameError::CKeyword(name) => write!(
                f,
                "{name:?} is a C or C++ keyword, which a header cannot declare"
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// Checks a name that generated Python code defines: a manifest function (a raw binding
/// in `_native.py`), one of its arguments, or an API function (in `api.py`).
///
/// Refuses anything but ASCII identifiers, keywords, builtins (the generated code uses
/// `len`, `bytes`, `memoryview`… and must not find them shadowed), names starting with
/// `_` (the generated helpers' namespace) and [`RESERVED_MODULE_NAMES`].
pub fn check_binding_name(name: &str) -> Result<(), NameError> {
    check_python_name(name)?;
    if name.starts_with('_') {
        return Err(NameError::Private(name.to_owned()));
    }
    if is_python_builtin(name) {
        return Err(NameError::PythonBuiltin(name.to_owned()));
    }
    if is_reserved_module_name(name) {
        return Err(NameError::Reserved(name.to_owned()));
    }
    Ok(())
}

/// Checks the name of a typed function's parameter: a Python identifier, not a keyword,
/// not starting with `_`. Builtins are allowed (`input`, `format`, `type`…): the
/// generated functions of typed signatures refer to nothing but `_vix_` names, so a
/// parameter that shadows a builtin shadows nothing they use.
pub fn check_param_name(name: &str) -> Result<(), NameError> {
    check_python_name(name)?;
    if name.starts_with('_') {
        return Err(NameError::Private(name.to_owned()));
    }
    Ok(())
}

/// The checks every Python name starts with: not empty, an ASCII identifier, no keyword.
fn check_python_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty {
            expected: "a Python identifier",
        });
    }
    if !is_python_identifier(name) {
        return Err(NameError::NotPythonIdentifier(name.to_owned()));
    }
    if is_python_keyword(name) {
        return Err(NameError::PythonKeyword(name.to_owned()));
    }
    Ok(())
}

/// Checks `python.package`, the top-level import name of the generated package.
///
/// Refuses anything but ASCII identifiers, keywords, builtins, dunder names, and names
/// of standard-library modules, compared case-insensitively because Windows and macOS
/// file systems are (the original's package `base64` shadowed the standard library's).
pub fn check_package_name(name: &str) -> Result<(), NameError> {
    check_python_name(name)?;
    if let Some(module) = stdlib_module_shadowed_by(name) {
        return Err(NameError::StdlibModule {
            name: name.to_owned(),
            module,
        });
    }
    if name.len() > 4 && name.starts_with("__") && name.ends_with("__") {
        return Err(NameError::Dunder(name.to_owned()));
    }
    if is_python_builtin(name) {
        return Err(NameError::PythonBuiltin(name.to_owned()));
    }
    Ok(())
}

/// Checks a name that must be a plain C identifier: `library.name`, `library.env_var`.
pub fn check_c_identifier(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty {
            expected: "a C identifier",
        });
    }
    if !is_c_identifier(name) {
        return Err(NameError::NotCIdentifier(name.to_owned()));
    }
    Ok(())
}

/// Checks a symbol name: a C identifier that is not a C or C++ keyword.
pub fn check_symbol(name: &str) -> Result<(), NameError> {
    check_c_identifier(name)?;
    if is_c_keyword(name) {
        return Err(NameError::CKeyword(name.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_python_identifier("encode"));
        assert!(is_python_identifier("_x9"));
        assert!(!is_python_identifier(""));
        assert!(!is_python_identifier("9x"));
        assert!(!is_python_identifier("a-b"));
        assert!(!is_python_identifier("naïve"));
        assert!(is_c_identifier("base64_encode"));
        assert!(!is_c_identifier("base64 encode"));
    }

    #[test]
    fn word_lists() {
        assert!(is_python_keyword("class"));
        assert!(is_python_keyword("async"));
        assert!(!is_python_keyword("match"));
        assert!(is_python_builtin("len"));
        assert!(is_python_builtin("exit"));
        assert!(is_python_builtin("ExceptionGroup"));
        assert!(is_python_builtin("PythonFinalizationError"));
        assert!(!is_python_builtin("__import__"));
        assert!(!is_python_builtin("encode"));
        for module in [
            "base64",
            "json",
            "email",
            "asyncore",
            "distutils",
            "imp",
            "smtpd",
        ] {
            assert!(is_stdlib_module(module), "{module}");
        }
        for module in [
            "__future__",
            "__main__",
            "test",
            "_json",
            "_pylong",
            "binhex",
        ] {
            assert!(is_stdlib_module(module), "{module}");
        }
        assert!(!is_stdlib_module("base64_ffi"));
        assert!(!is_stdlib_module("# Source"));
        assert_eq!(stdlib_module_shadowed_by("JSON"), Some("json"));
        assert!(is_c_keyword("int"));
        assert!(is_c_keyword("class"));
    }

    #[test]
    fn binding_names() {
        assert!(check_binding_name("encode").is_ok());
        assert!(matches!(
            check_binding_name("class"),
            Err(NameError::PythonKeyword(_))
        ));
        assert!(matches!(
            check_binding_name("len"),
            Err(NameError::PythonBuiltin(_))
        ));
        assert!(matches!(
            check_binding_name("_helper"),
            Err(NameError::Private(_))
        ));
        assert!(matches!(
            check_binding_name("ctypes"),
            Err(NameError::Reserved(_))
        ));
        assert!(matches!(
            check_binding_name("a b"),
            Err(NameError::NotPythonIdentifier(_))
        ));
        // Every suggested replacement passes.
        for name in ["class", "len", "ctypes", "VixError", "api"] {
            assert!(check_binding_name(&format!("{name}_")).is_ok(), "{name}_");
        }
    }

    #[test]
    fn package_names() {
        assert!(check_package_name("base64_ffi").is_ok());
        let err = check_package_name("base64").unwrap_err();
        assert!(err.to_string().contains("\"base64_ffi\""), "{err}");
        assert!(matches!(
            check_package_name("Json"),
            Err(NameError::StdlibModule { module: "json", .. })
        ));
        assert!(matches!(
            check_package_name("__init__"),
            Err(NameError::Dunder(_))
        ));
        assert!(matches!(
            check_package_name("import"),
            Err(NameError::PythonKeyword(_))
        ));
    }

    #[test]
    fn reserved_names_are_identifiers() {
        for name in RESERVED_MODULE_NAMES {
            assert!(is_python_identifier(name), "{name}");
        }
    }
}
