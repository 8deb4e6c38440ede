//! The validated manifest: what every backend reads.
//!
//! Values of these types only come out of [`super::parse`], which has checked every
//! name, reference and signature, so backends may emit them into code as they are.

/// A whole validated `bindings.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `library`.
    pub library: Library,
    /// `symbol_prefix` (may be empty).
    pub symbol_prefix: String,
    /// `functions`, in manifest order.
    pub functions: Vec<Function>,
    /// `errors`: the library's own status codes, in manifest order.
    pub errors: Vec<LibraryError>,
    /// `classes`: the library's objects (opaque handles), in manifest order; a
    /// [`ClassId`] is an index into it.
    pub classes: Vec<Class>,
    /// `python`.
    pub python: Python,
}

/// `library`: how the native library is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    /// Base name, a C identifier: `lib<name>.so`, `lib<name>.dylib`, `<name>.dll`.
    pub name: String,
    /// Environment variable listing directories to search first (default `VIX_LIB_PATH`),
    /// a C identifier.
    pub env_var: String,
    /// Extra directories searched after the env var's entries and before the package's
    /// own folder; relative ones are relative to the package folder. Any string without
    /// NUL; backends must emit them as escaped literals.
    pub search_paths: Vec<String>,
}

/// One entry of `functions`: a native symbol and its C signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// `name`: a Python identifier, unique among functions.
    pub name: String,
    /// `symbol`: a C identifier (default `symbol_prefix + name`), unique.
    pub symbol: String,
    /// `restype` (default `int`).
    pub restype: CType,
    /// `args`, in order.
    pub args: Vec<Arg>,
    /// `doc`: free text, optional; backends must escape it.
    pub doc: Option<String>,
    /// `params` and `returns`: the typed signature (ABI v1.1) the function was declared
    /// with, from which `args` and `restype` were derived
    /// ([`Signature::c_params`]). `None` for a function declared by its C arguments
    /// (ABI v1.0's form).
    pub signature: Option<Signature>,
}

impl Function {
    /// The typed signature an API entry of `kind` calls this function with: its own
    /// when it was declared with one, else the one the kind gives (`None` for
    /// [`ApiKind::Version`]).
    pub fn signature_for(&self, kind: Option<ApiKind>) -> Option<Signature> {
        match kind {
            None => self.signature.clone(),
            Some(kind) => kind.signature(),
        }
    }
}

/// One entry of `classes`: an opaque handle type of the library and what Python does with
/// it (ABI v1.1 objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// `name`: the Python class, an identifier that names nothing else the package
    /// defines.
    pub name: String,
    /// `c_name`: the C type (`typedef struct <c_name> <c_name>;`) and the stem of every
    /// symbol of the class (default `symbol_prefix` + the name in snake case).
    pub c_name: String,
    /// `doc`: free text, optional; backends must escape it.
    pub doc: Option<String>,
    /// `thread_safe` (default `false`): the library allows calls on one object from
    /// several threads at once; otherwise bindings run one call at a time per object.
    pub thread_safe: bool,
    /// `init`: the constructor `<c_name>_new`, whose signature returns the new object;
    /// `None` when Python cannot create objects of the class itself (they come from
    /// functions and methods).
    pub init: Option<Method>,
    /// `methods`, in manifest order: each `<c_name>_<name>`, its signature's receiver is
    /// this class.
    pub methods: Vec<Method>,
    /// `constants`: read-only attributes of the class, in manifest order.
    pub constants: Vec<(String, Default)>,
    /// `<c_name>_free`, which releases a handle (NULL: nothing).
    pub free_symbol: String,
}

/// A constructor or a method of a [`Class`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    /// The Python name (`__init__` for a constructor).
    pub name: String,
    /// The C symbol.
    pub symbol: String,
    /// The typed signature (a method's receiver is its class).
    pub signature: Signature,
    /// `doc`: free text, optional; backends must escape it.
    pub doc: Option<String>,
}

/// One entry of `errors`: a status code of the library's own (from 1000) and the Python
/// exception it raises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryError {
    /// `code`: from [`vix_ffi_signature::FIRST_LIBRARY_CODE`] to `i32::MAX`, unique.
    pub code: i32,
    /// `name`: the Python class, an identifier that names nothing else the package
    /// defines.
    pub name: String,
    /// `base`: a standard exception class it also derives from, one of
    /// [`vix_ffi_signature::PYTHON_ERROR_BASES`].
    pub base: Option<String>,
    /// `doc`: free text, optional; backends must escape it.
    pub doc: Option<String>,
}

/// One argument of a [`Function`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// A Python identifier, unique within the function.
    pub name: String,
    /// Its C type.
    pub ty: CType,
}

pub use vix_ffi_signature::{
    CParam, CType, ClassId, Default, Output, Param, ParamType, Passing, Role, Scalar, Signature,
};

/// `python`: the generated package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Python {
    /// `package`: a Python identifier that is not a keyword, a builtin, or a
    /// standard-library module name.
    pub package: String,
    /// `exports`: the submodules `__init__.py` imports (default: the raw module).
    pub exports: Vec<Export>,
    /// `api`: the high-level functions of `api.py`, in manifest order.
    pub api: Vec<ApiFunction>,
}

/// A submodule that `__init__.py` imports and lists in `__all__`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Export {
    /// `"api"`: the high-level functions.
    Api,
    /// `"_native"`: the loader and raw bindings.
    Native,
}

impl Export {
    /// The module name, as written in the manifest.
    pub const fn module(self) -> &'static str {
        match self {
            Export::Api => "api",
            Export::Native => "_native",
        }
    }
}

/// One entry of `python.api`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFunction {
    /// The Python function name: an identifier, not a keyword or builtin, not reserved by
    /// the generated module, unique within `api`.
    pub name: String,
    /// Index into [`Manifest::functions`] of the function it calls (resolved from
    /// `calls`); that function has the signature `kind` needs.
    pub calls: usize,
    /// `kind` as written: what it converts, for a function declared by its C arguments;
    /// `None` for one declared with a typed signature, which says it itself.
    pub kind: Option<ApiKind>,
    /// What Python calls: the version string, or a function of a typed signature.
    pub call: ApiCall,
    /// `ascii` (default `false`): the library promises that every output of this function
    /// is ASCII, so backends may build the `str` without checking it. Only `true` for
    /// kinds that return `str` from the operation shape ([`ApiKind::takes_ascii_promise`]).
    pub ascii: bool,
    /// `output_blocks` (optional, operation kinds only): the library declares the exact
    /// size of every successful output, so that backends may allocate it without a size
    /// query. See [`OutputBlocks`].
    pub output_blocks: Option<OutputBlocks>,
    /// `doc`: free text, optional; backends must escape it. When absent, backends may fall
    /// back to the called function's `doc`.
    pub doc: Option<String>,
}

/// What an API function calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiCall {
    /// `vix_str f(vix_status *)`, returning `str`.
    Version,
    /// A function of this typed signature (the operation kinds give theirs:
    /// [`ApiKind::signature`]); its parameter names are the Python ones.
    Typed(Signature),
}

impl ApiCall {
    /// The typed signature, if any.
    pub fn signature(&self) -> Option<&Signature> {
        match self {
            ApiCall::Version => None,
            ApiCall::Typed(s) => Some(s),
        }
    }
}

/// `"output_blocks": {"in": a, "out": b}`: every block of `a` input bytes (the last one
/// possibly shorter) becomes exactly `b` output bytes, so a successful output of an input
/// of `n` bytes is `b * ceil(n / a)` bytes. Base64 with padding is `{"in": 3, "out": 4}`,
/// hex encoding `{"in": 1, "out": 2}`. A declaration, not a check: `vix-ffi check`
/// compares it with the library, and generated code stays correct (only slower) when the
/// library writes another size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutputBlocks {
    /// `in`: input bytes per block, at least 1.
    pub input: u32,
    /// `out`: output bytes per block, at least 1.
    pub output: u32,
}

impl OutputBlocks {
    /// The declared output size for an input of `n` bytes; `None` past `u64`.
    pub fn size(self, n: u64) -> Option<u64> {
        n.div_ceil(u64::from(self.input))
            .checked_mul(u64::from(self.output))
    }
}

/// The high-level call patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiKind {
    /// bytes-like in, `str` out, over the operation shape.
    BytesToStr,
    /// `str` (or bytes-like) in, `bytes` out, over the operation shape.
    StrToBytes,
    /// bytes-like in, `bytes` out, over the operation shape.
    BytesToBytes,
    /// `str` (or bytes-like) in, `str` out, over the operation shape.
    StrToStr,
    /// `vix_str f(vix_status *)`, returns `str`.
    Version,
}

impl ApiKind {
    /// Every kind.
    pub const ALL: [ApiKind; 5] = [
        ApiKind::BytesToStr,
        ApiKind::StrToBytes,
        ApiKind::BytesToBytes,
        ApiKind::StrToStr,
        ApiKind::Version,
    ];

    /// The spelling in `bindings.json`.
    pub const fn manifest_name(self) -> &'static str {
        match self {
            ApiKind::BytesToStr => "bytes_to_str",
            ApiKind::StrToBytes => "str_to_bytes",
            ApiKind::BytesToBytes => "bytes_to_bytes",
            ApiKind::StrToStr => "str_to_str",
            ApiKind::Version => "version",
        }
    }

    /// Parses the spelling in `bindings.json`.
    pub fn from_manifest_name(name: &str) -> Option<ApiKind> {
        ApiKind::ALL.into_iter().find(|k| k.manifest_name() == name)
    }

    /// Whether the called function has the operation shape.
    pub const fn is_operation(self) -> bool {
        !matches!(self, ApiKind::Version)
    }

    /// Whether the input is text (`str`, encoded as UTF-8).
    pub const fn takes_str(self) -> bool {
        matches!(self, ApiKind::StrToBytes | ApiKind::StrToStr)
    }

    /// Whether an entry of this kind may promise ASCII output (`"ascii": true`): the
    /// operation kinds that return `str`.
    pub const fn takes_ascii_promise(self) -> bool {
        matches!(self, ApiKind::BytesToStr | ApiKind::StrToStr)
    }

    /// The typed signature of an operation kind, with the Python parameter name of
    /// v1.0 (`data` for bytes, `text` for text); `None` for [`ApiKind::Version`].
    pub fn signature(self) -> Option<Signature> {
        self.is_operation().then(|| {
            let name = if self.takes_str() { "text" } else { "data" };
            Signature::operation(name, self.takes_str(), self.returns_str())
        })
    }

    /// Whether the output is text (`str`, decoded as UTF-8).
    pub const fn returns_str(self) -> bool {
        matches!(
            self,
            ApiKind::BytesToStr | ApiKind::StrToStr | ApiKind::Version
        )
    }
}
