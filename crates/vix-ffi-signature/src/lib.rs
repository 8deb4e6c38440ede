//! The typed signature model of Vix FFI, in one place.
//!
//! A function of ABI v1.1 is described by its [`Signature`]: parameters, each with a
//! [`ParamType`] (bytes, text or a [`Scalar`]), an optional default and how Python passes
//! it, and at most one [`Output`]. Everything else follows from it: the C parameter list
//! ([`Signature::c_params`], the three groups of `abi-v1.1.md`: inputs, the output, the
//! status), the manifest's spelling, the Rust types the attribute accepts, the Python
//! annotations and conversions. The manifest parser, `#[vix_ffi::export]`, `from-rust`,
//! the checker and the Python backend all read this model, so a new type is one new
//! variant here and one arm in each `match` the compiler then points at.
//!
//! The v1.0 operation shape is the signature "one bytes input, one bytes output"
//! ([`Signature::operation`]); its C parameter list is exactly the v1.0 one.

use std::fmt;

/// The C types a manifest's raw `args` and `restype` can name (ABI v1.0's list, plus the
/// scalar and pointer types that v1.1's typed signatures use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CType {
    /// `void` (return type only).
    Void,
    /// `int`.
    Int,
    /// `int32_t`.
    Int32,
    /// `uint32_t`.
    Uint32,
    /// `size_t`.
    SizeT,
    /// `uint8_t *` / `const uint8_t *`.
    U8Ptr,
    /// `char *` / `const char *`.
    CharPtr,
    /// `void *`.
    VoidPtr,
    /// `vix_status *`.
    VixStatusPtr,
    /// `vix_str` by value.
    VixStr,
    /// `vix_buf` by value.
    VixBuf,
    /// `vix_mut_buf` by value.
    VixMutBuf,
    /// `vix_str *`.
    VixStrPtr,
    /// `vix_buf *`.
    VixBufPtr,
    /// `vix_mut_buf *`.
    VixMutBufPtr,
    /// `size_t *`.
    SizeTPtr,
    /// `int32_t *`.
    Int32Ptr,
    /// `int64_t` (v1.1).
    Int64,
    /// `uint64_t` (v1.1).
    Uint64,
    /// `double` (v1.1).
    Double,
    /// `bool` (C99 `_Bool`, v1.1).
    Bool,
    /// `uint32_t *` (v1.1).
    Uint32Ptr,
    /// `int64_t *` (v1.1).
    Int64Ptr,
    /// `uint64_t *` (v1.1).
    Uint64Ptr,
    /// `double *` (v1.1).
    DoublePtr,
    /// `bool *` (v1.1).
    BoolPtr,
    /// An object's handle, `pkg_thing *` (v1.1; `void *` to ctypes).
    Handle,
    /// Where a new handle is written, `pkg_thing **` (v1.1).
    HandlePtr,
}

impl CType {
    /// Every type: ABI v1.0's, in the order `abi-v1` lists them, then v1.1's.
    pub const ALL: [CType; 28] = [
        CType::Void,
        CType::Int,
        CType::Int32,
        CType::Uint32,
        CType::SizeT,
        CType::U8Ptr,
        CType::CharPtr,
        CType::VoidPtr,
        CType::VixStatusPtr,
        CType::VixStr,
        CType::VixBuf,
        CType::VixMutBuf,
        CType::VixStrPtr,
        CType::VixBufPtr,
        CType::VixMutBufPtr,
        CType::SizeTPtr,
        CType::Int32Ptr,
        CType::Int64,
        CType::Uint64,
        CType::Double,
        CType::Bool,
        CType::Uint32Ptr,
        CType::Int64Ptr,
        CType::Uint64Ptr,
        CType::DoublePtr,
        CType::BoolPtr,
        CType::Handle,
        CType::HandlePtr,
    ];

    /// The spelling in `bindings.json`.
    pub const fn manifest_name(self) -> &'static str {
        match self {
            CType::Void => "void",
            CType::Int => "int",
            CType::Int32 => "int32",
            CType::Uint32 => "uint32",
            CType::SizeT => "size_t",
            CType::U8Ptr => "u8_ptr",
            CType::CharPtr => "char_ptr",
            CType::VoidPtr => "void_ptr",
            CType::VixStatusPtr => "vix_status_ptr",
            CType::VixStr => "vix_str",
            CType::VixBuf => "vix_buf",
            CType::VixMutBuf => "vix_mut_buf",
            CType::VixStrPtr => "vix_str_ptr",
            CType::VixBufPtr => "vix_buf_ptr",
            CType::VixMutBufPtr => "vix_mut_buf_ptr",
            CType::SizeTPtr => "size_t_ptr",
            CType::Int32Ptr => "int32_ptr",
            CType::Int64 => "int64",
            CType::Uint64 => "uint64",
            CType::Double => "double",
            CType::Bool => "bool",
            CType::Uint32Ptr => "uint32_ptr",
            CType::Int64Ptr => "int64_ptr",
            CType::Uint64Ptr => "uint64_ptr",
            CType::DoublePtr => "double_ptr",
            CType::BoolPtr => "bool_ptr",
            CType::Handle => "handle",
            CType::HandlePtr => "handle_ptr",
        }
    }

    /// Parses the spelling in `bindings.json`.
    pub fn from_manifest_name(name: &str) -> Option<CType> {
        CType::ALL.into_iter().find(|t| t.manifest_name() == name)
    }

    /// The C spelling, for headers and messages.
    pub const fn c_name(self) -> &'static str {
        match self {
            CType::Void => "void",
            CType::Int => "int",
            CType::Int32 => "int32_t",
            CType::Uint32 => "uint32_t",
            CType::SizeT => "size_t",
            CType::U8Ptr => "uint8_t *",
            CType::CharPtr => "char *",
            CType::VoidPtr => "void *",
            CType::VixStatusPtr => "vix_status *",
            CType::VixStr => "vix_str",
            CType::VixBuf => "vix_buf",
            CType::VixMutBuf => "vix_mut_buf",
            CType::VixStrPtr => "vix_str *",
            CType::VixBufPtr => "vix_buf *",
            CType::VixMutBufPtr => "vix_mut_buf *",
            CType::SizeTPtr => "size_t *",
            CType::Int32Ptr => "int32_t *",
            CType::Int64 => "int64_t",
            CType::Uint64 => "uint64_t",
            CType::Double => "double",
            CType::Bool => "bool",
            CType::Uint32Ptr => "uint32_t *",
            CType::Int64Ptr => "int64_t *",
            CType::Uint64Ptr => "uint64_t *",
            CType::DoublePtr => "double *",
            CType::BoolPtr => "bool *",
            // The class's own type in a prototype (see Signature::c_prototype_with).
            CType::Handle => "void *",
            CType::HandlePtr => "void **",
        }
    }

    /// `T name` or `T *name`, for prototypes.
    pub fn declare(self, name: &str) -> String {
        let c = self.c_name();
        if c.ends_with('*') {
            format!("{c}{name}")
        } else {
            format!("{c} {name}")
        }
    }

    /// Whether this is one of the data pointer types a bytes input or output may be
    /// declared with in a raw `args` list (`u8_ptr`, `char_ptr`, `void_ptr`): at the ABI
    /// level they are the same.
    pub const fn is_data_pointer(self) -> bool {
        matches!(self, CType::U8Ptr | CType::CharPtr | CType::VoidPtr)
    }
}

/// The scalar types of ABI v1.1: parameters passed by value, results written through a
/// pointer on success.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `int32_t`, Rust `i32`.
    Int32,
    /// `uint32_t`, Rust `u32`.
    Uint32,
    /// `int64_t`, Rust `i64`.
    Int64,
    /// `uint64_t`, Rust `u64`.
    Uint64,
    /// `size_t`, Rust `usize`.
    Size,
    /// `double`, Rust `f64`.
    Double,
    /// `bool` (C99 `_Bool`, 0 or 1), Rust `bool`.
    Bool,
}

impl Scalar {
    /// Every scalar type.
    pub const ALL: [Scalar; 7] = [
        Scalar::Int32,
        Scalar::Uint32,
        Scalar::Int64,
        Scalar::Uint64,
        Scalar::Size,
        Scalar::Double,
        Scalar::Bool,
    ];

    /// The spelling in `bindings.json` (that of its [`CType`]).
    pub const fn name(self) -> &'static str {
        self.c_type().manifest_name()
    }

    /// The C type of a parameter.
    pub const fn c_type(self) -> CType {
        match self {
            Scalar::Int32 => CType::Int32,
            Scalar::Uint32 => CType::Uint32,
            Scalar::Int64 => CType::Int64,
            Scalar::Uint64 => CType::Uint64,
            Scalar::Size => CType::SizeT,
            Scalar::Double => CType::Double,
            Scalar::Bool => CType::Bool,
        }
    }

    /// The C type of the output pointer `out_value`.
    pub const fn c_pointer(self) -> CType {
        match self {
            Scalar::Int32 => CType::Int32Ptr,
            Scalar::Uint32 => CType::Uint32Ptr,
            Scalar::Int64 => CType::Int64Ptr,
            Scalar::Uint64 => CType::Uint64Ptr,
            Scalar::Size => CType::SizeTPtr,
            Scalar::Double => CType::DoublePtr,
            Scalar::Bool => CType::BoolPtr,
        }
    }

    /// The Rust type, as `#[vix_ffi::export]` reads it.
    pub const fn rust_type(self) -> &'static str {
        match self {
            Scalar::Int32 => "i32",
            Scalar::Uint32 => "u32",
            Scalar::Int64 => "i64",
            Scalar::Uint64 => "u64",
            Scalar::Size => "usize",
            Scalar::Double => "f64",
            Scalar::Bool => "bool",
        }
    }

    /// The scalar of a manifest spelling.
    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The scalar of a Rust type name.
    pub fn from_rust_type(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.rust_type() == name)
    }

    /// The Python type of its values.
    pub const fn python_type(self) -> &'static str {
        match self {
            Scalar::Double => "float",
            Scalar::Bool => "bool",
            _ => "int",
        }
    }

    /// The inclusive range of an integer type, where it does not depend on the platform
    /// (`size_t` does: [`Scalar::Size`] gives the 64-bit range, which backends narrow to
    /// the platform's); `None` for `double` and `bool`.
    pub const fn int_range(self) -> Option<(i128, i128)> {
        match self {
            Scalar::Int32 => Some((i32::MIN as i128, i32::MAX as i128)),
            Scalar::Uint32 => Some((0, u32::MAX as i128)),
            Scalar::Int64 => Some((i64::MIN as i128, i64::MAX as i128)),
            Scalar::Uint64 | Scalar::Size => Some((0, u64::MAX as i128)),
            Scalar::Double | Scalar::Bool => None,
        }
    }
}

/// The type of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// Bytes: `const uint8_t *<name>_ptr, size_t <name>_len`. Python takes any
    /// C-contiguous bytes-like object.
    Bytes,
    /// UTF-8 text, passed as bytes are. Python takes a `str` (encoded as UTF-8) or, as the
    /// v1.0 text kinds do, a bytes-like object.
    Str,
    /// A scalar, by value.
    Scalar(Scalar),
    /// An object of a class, borrowed for the call: `pkg_thing *<name>`.
    Object(ClassId),
}

/// A class, by its index in the manifest's `classes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId(pub u32);

impl ParamType {
    /// The spelling in `bindings.json`.
    pub const fn name(self) -> &'static str {
        match self {
            ParamType::Bytes => "bytes",
            ParamType::Str => "str",
            ParamType::Scalar(s) => s.name(),
            ParamType::Object(_) => "object",
        }
    }

    /// Every parameter type that has a fixed spelling (objects are spelled by their
    /// class's name).
    pub fn all() -> impl Iterator<Item = ParamType> {
        [ParamType::Bytes, ParamType::Str]
            .into_iter()
            .chain(Scalar::ALL.map(ParamType::Scalar))
    }

    /// The type of a manifest spelling.
    pub fn from_name(name: &str) -> Option<ParamType> {
        ParamType::all().find(|t| t.name() == name)
    }

    /// Whether it is passed as a pointer and a length.
    pub const fn is_buffer(self) -> bool {
        matches!(self, ParamType::Bytes | ParamType::Str)
    }
}

/// The one output of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    /// No output: only the status (Python `None`).
    None,
    /// Bytes in the caller's buffer: `uint8_t *out_ptr, size_t out_cap, size_t *out_len`,
    /// with the sizing rules of v1.0.
    Bytes,
    /// UTF-8 text, written as bytes are; Python decodes it.
    Str,
    /// A scalar, written through `T *out_value` on success only.
    Scalar(Scalar),
    /// A new object the caller owns, written through `pkg_thing **out_handle` on
    /// success only.
    Object(ClassId),
    /// A method's own object, for chaining: no output in C; Python returns `self`.
    This,
}

impl Output {
    /// The spelling in `bindings.json`.
    pub const fn name(self) -> &'static str {
        match self {
            Output::None => "none",
            Output::Bytes => "bytes",
            Output::Str => "str",
            Output::Scalar(s) => s.name(),
            Output::Object(_) => "object",
            Output::This => "self",
        }
    }

    /// Every output type that has a fixed spelling (`self` included; objects are
    /// spelled by their class's name).
    pub fn all() -> impl Iterator<Item = Output> {
        [Output::None, Output::Bytes, Output::Str, Output::This]
            .into_iter()
            .chain(Scalar::ALL.map(Output::Scalar))
    }

    /// The output of a manifest spelling.
    pub fn from_name(name: &str) -> Option<Output> {
        Output::all().find(|t| t.name() == name)
    }

    /// Whether it is written into a caller's buffer (and so sized).
    pub const fn is_buffer(self) -> bool {
        matches!(self, Output::Bytes | Output::Str)
    }
}

/// A default value, of the parameter's type (the parser and the attribute check that).
#[derive(Clone, Debug)]
pub enum Default {
    /// For an integer type, within its range.
    Int(i128),
    /// For `double`; always finite (JSON has no NaN nor infinity).
    Float(f64),
    /// For `bool`.
    Bool(bool),
    /// For `bytes`.
    Bytes(Vec<u8>),
    /// For `str`.
    Str(String),
    /// For an optional parameter: Python's `None`, which C receives as NULL (and a
    /// length of 0 for bytes and str).
    None,
}

impl PartialEq for Default {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Default::Int(a), Default::Int(b)) => a == b,
            (Default::Float(a), Default::Float(b)) => a.to_bits() == b.to_bits(),
            (Default::Bool(a), Default::Bool(b)) => a == b,
            (Default::Bytes(a), Default::Bytes(b)) => a == b,
            (Default::Str(a), Default::Str(b)) => a == b,
            (Default::None, Default::None) => true,
            _ => false,
        }
    }
}

impl Eq for Default {}

impl Default {
    /// Whether the value is one of `ty`'s (an integer within the type's range; for
    /// `size_t`, the 64-bit range).
    pub fn fits(&self, ty: ParamType) -> bool {
        match (self, ty) {
            (Default::Int(n), ParamType::Scalar(s)) => {
                matches!(s.int_range(), Some((lo, hi)) if (lo..=hi).contains(n))
            }
            (Default::Float(x), ParamType::Scalar(Scalar::Double)) => x.is_finite(),
            (Default::Bool(_), ParamType::Scalar(Scalar::Bool)) => true,
            (Default::Bytes(_), ParamType::Bytes) => true,
            (Default::Str(_), ParamType::Str) => true,
            (Default::None, ParamType::Bytes | ParamType::Str | ParamType::Object(_)) => true,
            _ => false,
        }
    }
}

/// How Python passes a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Passing {
    /// By position only (before `/`).
    PositionalOnly,
    /// By position or by keyword.
    Either,
    /// By keyword only (after `*`): the default for a parameter with a default, so that
    /// adding one never changes what a positional call means.
    KeywordOnly,
}

/// One parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name: a Python identifier, and the stem of its C names.
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// Its default, if any.
    pub default: Option<Default>,
    /// How Python passes it.
    pub passing: Passing,
    /// Whether Python may pass `None` (bytes, str and objects only), which C receives as
    /// a NULL pointer (with a length of 0); an empty value has a non-NULL pointer.
    pub optional: bool,
}

impl Param {
    /// A parameter without a default, passed by position or keyword.
    pub fn new(name: impl Into<String>, ty: ParamType) -> Param {
        Param {
            name: name.into(),
            ty,
            default: None,
            passing: Passing::Either,
            optional: false,
        }
    }
}

/// A typed signature: parameters, in C order, and one output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// A method's class: its first C parameter is `pkg_thing *self`. `None` for a
    /// function (and a constructor).
    pub receiver: Option<ClassId>,
    /// The inputs, in the order of the C parameters.
    pub params: Vec<Param>,
    /// The output.
    pub output: Output,
}

/// What one C parameter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A method's object, `self`, first.
    SelfHandle,
    /// The object input `params[i]`, borrowed for the call.
    Object(usize),
    /// The pointer of the buffer input `params[i]`.
    InputPtr(usize),
    /// The length of the buffer input `params[i]`.
    InputLen(usize),
    /// The scalar input `params[i]`, by value.
    Scalar(usize),
    /// `out_ptr` of a buffer output.
    OutPtr,
    /// `out_cap` of a buffer output.
    OutCap,
    /// `out_len` of a buffer output.
    OutLen,
    /// `out_value` of a scalar output.
    OutValue,
    /// `out_handle` of an object output.
    OutHandle,
    /// `out_status`, always last.
    Status,
}

/// One C parameter of a typed signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CParam {
    /// Its C name: `<param>_ptr`, `<param>_len`, `<param>`, `out_ptr`, `out_cap`,
    /// `out_len`, `out_value`, `out_status`.
    pub name: String,
    /// Its C type.
    pub ty: CType,
    /// What it carries.
    pub role: Role,
}

/// The status parameter's name, last in every typed signature.
pub const STATUS_NAME: &str = "out_status";

/// A method's object parameter's name, first.
pub const SELF_NAME: &str = "self";

impl Role {
    /// The index of the parameter this C parameter carries, if any.
    pub const fn param(self) -> Option<usize> {
        match self {
            Role::InputPtr(i) | Role::InputLen(i) | Role::Scalar(i) | Role::Object(i) => Some(i),
            _ => None,
        }
    }
}

/// The index of the one buffer input of `params`, if there is exactly one: what an output
/// sized from "the input" (`output_blocks`, a `size` of the input alone) is computed from.
pub fn single_buffer(params: &[Param]) -> Option<usize> {
    let mut buffers = params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ty.is_buffer())
        .map(|(i, _)| i);
    match (buffers.next(), buffers.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

impl Signature {
    /// The v1.0 operation shape: one bytes input named `input_name`, one bytes output
    /// (text in or out where `text_in`/`text_out` say so).
    pub fn operation(input_name: &str, text_in: bool, text_out: bool) -> Signature {
        Signature {
            receiver: None,
            params: vec![Param::new(
                input_name,
                if text_in {
                    ParamType::Str
                } else {
                    ParamType::Bytes
                },
            )],
            output: if text_out { Output::Str } else { Output::Bytes },
        }
    }

    /// Whether this is the v1.0 operation shape (one buffer in, one buffer out, no
    /// receiver, nothing optional).
    pub fn is_operation(&self) -> bool {
        self.receiver.is_none()
            && self.output.is_buffer()
            && self.params.len() == 1
            && self.params[0].ty.is_buffer()
            && !self.params[0].optional
    }

    /// The classes this signature names (receiver, object parameters, object result).
    pub fn classes(&self) -> impl Iterator<Item = ClassId> + '_ {
        let params = self.params.iter().filter_map(|p| match p.ty {
            ParamType::Object(c) => Some(c),
            _ => None,
        });
        let output = match self.output {
            Output::Object(c) => Some(c),
            _ => None,
        };
        self.receiver.into_iter().chain(params).chain(output)
    }

    /// The buffer inputs, with their indices.
    pub fn buffer_params(&self) -> impl Iterator<Item = (usize, &Param)> {
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.ty.is_buffer())
    }

    /// The index of the one buffer input, if there is exactly one (see [`single_buffer`]).
    pub fn single_buffer(&self) -> Option<usize> {
        single_buffer(&self.params)
    }

    /// The C parameter list, in the three groups of ABI v1.1: the inputs in order (a
    /// buffer as `<name>_ptr, <name>_len`, a scalar as `<name>`), the output
    /// (`out_ptr, out_cap, out_len` or `out_value`), then `out_status`. The return type
    /// is always `int`. For [`Signature::operation`] this is the v1.0 operation shape.
    pub fn c_params(&self) -> Vec<CParam> {
        let mut out = Vec::with_capacity(self.params.len() * 2 + 5);
        if self.receiver.is_some() {
            out.push(CParam {
                name: SELF_NAME.to_owned(),
                ty: CType::Handle,
                role: Role::SelfHandle,
            });
        }
        for (i, p) in self.params.iter().enumerate() {
            match p.ty {
                ParamType::Object(_) => out.push(CParam {
                    name: p.name.clone(),
                    ty: CType::Handle,
                    role: Role::Object(i),
                }),
                ParamType::Bytes | ParamType::Str => {
                    out.push(CParam {
                        name: format!("{}_ptr", p.name),
                        ty: CType::U8Ptr,
                        role: Role::InputPtr(i),
                    });
                    out.push(CParam {
                        name: format!("{}_len", p.name),
                        ty: CType::SizeT,
                        role: Role::InputLen(i),
                    });
                }
                ParamType::Scalar(s) => out.push(CParam {
                    name: p.name.clone(),
                    ty: s.c_type(),
                    role: Role::Scalar(i),
                }),
            }
        }
        match self.output {
            Output::None | Output::This => {}
            Output::Object(_) => out.push(CParam {
                name: "out_handle".to_owned(),
                ty: CType::HandlePtr,
                role: Role::OutHandle,
            }),
            Output::Bytes | Output::Str => {
                out.push(CParam {
                    name: "out_ptr".to_owned(),
                    ty: CType::U8Ptr,
                    role: Role::OutPtr,
                });
                out.push(CParam {
                    name: "out_cap".to_owned(),
                    ty: CType::SizeT,
                    role: Role::OutCap,
                });
                out.push(CParam {
                    name: "out_len".to_owned(),
                    ty: CType::SizeTPtr,
                    role: Role::OutLen,
                });
            }
            Output::Scalar(s) => out.push(CParam {
                name: "out_value".to_owned(),
                ty: s.c_pointer(),
                role: Role::OutValue,
            }),
        }
        out.push(CParam {
            name: STATUS_NAME.to_owned(),
            ty: CType::VixStatusPtr,
            role: Role::Status,
        });
        out
    }

    /// The C prototype `int <symbol>(...)`, on one line; `const` on input pointers. An
    /// object's handle is written `void *` here: [`Signature::c_prototype_with`] names
    /// the classes' types.
    pub fn c_prototype(&self, symbol: &str) -> String {
        self.c_prototype_with(symbol, |_| "void".to_owned())
    }

    /// [`Signature::c_prototype`] with each class's C type named by `class_type`
    /// (`pkg_thing *self`, `pkg_thing **out_handle`).
    pub fn c_prototype_with(&self, symbol: &str, class_type: impl Fn(ClassId) -> String) -> String {
        format!(
            "int {symbol}({})",
            self.c_declarations(class_type).join(", ")
        )
    }

    /// The declaration of each C parameter, as [`Signature::c_prototype_with`] writes
    /// them.
    pub fn c_declarations(&self, class_type: impl Fn(ClassId) -> String) -> Vec<String> {
        let class_of = |role: Role| match role {
            Role::SelfHandle => self.receiver,
            Role::Object(i) => match self.params[i].ty {
                ParamType::Object(c) => Some(c),
                _ => None,
            },
            Role::OutHandle => match self.output {
                Output::Object(c) => Some(c),
                _ => None,
            },
            _ => None,
        };
        let params: Vec<String> = self
            .c_params()
            .iter()
            .map(|p| match (p.role, class_of(p.role)) {
                (Role::InputPtr(_), _) => format!("const {}", p.ty.declare(&p.name)),
                (Role::OutHandle, Some(c)) => format!("{} **{}", class_type(c), p.name),
                (_, Some(c)) => format!("{} *{}", class_type(c), p.name),
                _ => p.ty.declare(&p.name),
            })
            .collect();
        params
    }

    /// Problems with the signature as a whole, each with the index of the parameter it is
    /// about (`None`: the output or the whole): two parameters whose C names clash, a
    /// parameter without a default after a positional one with a default, a
    /// positional-only parameter after one that is not, a default that does not fit its
    /// type. Empty when the signature is sound.
    pub fn problems(&self) -> Vec<(Option<usize>, String)> {
        let mut problems = Vec::new();
        let params = self.c_params();
        for (j, p) in params.iter().enumerate() {
            if let Some(first) = params[..j].iter().find(|q| q.name == p.name) {
                let index = p.role.param().or(first.role.param());
                if first.role == Role::SelfHandle {
                    // A parameter named self: the manifest parser and the attribute
                    // refuse the name itself, whatever the parameter's type.
                    continue;
                }
                problems.push((
                    index,
                    format!(
                        "the C parameter name {:?} is made twice (parameters become \
                         <name>_ptr and <name>_len for bytes and str, <name> for scalars \
                         and objects; a method's object is self; the output and status are \
                         out_ptr, out_cap, out_len, out_value, out_handle and out_status): \
                         rename a parameter",
                        p.name
                    ),
                ));
            }
        }
        let mut defaulted_positional: Option<&str> = None;
        let mut seen_either: Option<&str> = None;
        for (i, p) in self.params.iter().enumerate() {
            if p.optional
                && !matches!(
                    p.ty,
                    ParamType::Bytes | ParamType::Str | ParamType::Object(_)
                )
            {
                problems.push((
                    Some(i),
                    format!(
                        "{:?} is of type {} and cannot be optional: only bytes, str and \
                         objects can (C receives None as a NULL pointer)",
                        p.name,
                        p.ty.name()
                    ),
                ));
            }
            if let Some(d) = &p.default {
                if *d == Default::None && !p.optional {
                    problems.push((
                        Some(i),
                        format!(
                            "the default of {:?} is None, but the parameter is not optional: \
                             add \"optional\": true",
                            p.name
                        ),
                    ));
                } else if !d.fits(p.ty) {
                    problems.push((
                        Some(i),
                        format!("the default of {:?} is not a {} value", p.name, p.ty.name()),
                    ));
                }
            }
            if p.passing == Passing::KeywordOnly {
                continue;
            }
            if p.passing == Passing::PositionalOnly {
                if let Some(before) = seen_either {
                    problems.push((
                        Some(i),
                        format!(
                            "{:?} is positional-only but follows {before:?}, which is not: \
                             Python puts positional-only parameters first",
                            p.name
                        ),
                    ));
                }
            } else {
                seen_either.get_or_insert(&p.name);
            }
            match (&p.default, defaulted_positional) {
                (Some(_), None) => defaulted_positional = Some(&p.name),
                (None, Some(before)) => problems.push((
                    Some(i),
                    format!(
                        "{:?} has no default but follows {before:?}, which has one and can \
                         be passed by position: give {:?} a default, or make {before:?} \
                         keyword-only",
                        p.name, p.name
                    ),
                )),
                _ => {}
            }
        }
        problems
    }
}

impl fmt::Display for Signature {
    /// `(data: bytes, seed: uint32 = 0) -> uint32`, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}: {}", p.name, p.ty.name())?;
            if p.default.is_some() {
                f.write_str(" = ...")?;
            }
        }
        write!(f, ") -> {}", self.output.name())
    }
}

/// The standard Python exception classes a library error may also derive from.
pub const PYTHON_ERROR_BASES: [&str; 17] = [
    "ArithmeticError",
    "ConnectionError",
    "EOFError",
    "FileExistsError",
    "FileNotFoundError",
    "IndexError",
    "KeyError",
    "LookupError",
    "MemoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "RuntimeError",
    "TimeoutError",
    "TypeError",
    "ValueError",
];

/// The first status code a library may give a meaning of its own.
pub const FIRST_LIBRARY_CODE: i64 = 1000;

/// `HashState` → `hash_state`, `blake3` → `blake3` (the rule for a class's default C
/// name, `<prefix><snake_case(name)>`, in the manifest and in `#[vix_ffi::export]`).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

#[cfg(test)]
mod tests;
