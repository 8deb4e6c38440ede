//! Calling a function of a typed signature, whose C parameter list is known only at run
//! time, through libffi.
//!
//! The parameter list is [`Signature::c_params`]: each C parameter's [`Role`] says which
//! argument value, buffer, length or out-pointer goes there, and its [`CType`] the libffi
//! type it is passed as. Nothing here matches on particular signatures.
//!
//! Every out-parameter is pre-filled with a sentinel, as for the operation shape, so that
//! "not written" can be told from any value the library could write.

use std::ffi::c_void;
use std::os::raw::c_int;

use libffi::middle::{Arg, Cif, CodePtr, Type};
use vix_ffi::{StatusCode, VixStatus};
use vix_ffi_gen::manifest::{CType, Output, Role, Scalar, Signature};

use super::ffi::{sentinel_status, Message, Obs, Out, SENTINEL_LEN, SLACK};
use crate::values::Value;

/// Pre-filled `*out_value`: eight bytes no scalar result is likely to be.
pub const SENTINEL_VALUE: u64 = 0x5eed_a11e_5eed_a11e;

/// Non-null pointer for an empty, non-null input.
static EMPTY_INPUT: [u8; 1] = [0];

/// The libffi type a C parameter is passed as; `None` for the types typed signatures never
/// use.
fn ffi_type(ty: CType) -> Option<Type> {
    Some(match ty {
        CType::Int32 => Type::i32(),
        CType::Uint32 => Type::u32(),
        CType::Int64 => Type::i64(),
        CType::Uint64 => Type::u64(),
        CType::SizeT => Type::usize(),
        CType::Double => Type::f64(),
        // C99 `_Bool` is one byte, passed (like every small integer) widened in a register.
        CType::Bool => Type::u8(),
        CType::U8Ptr
        | CType::CharPtr
        | CType::VoidPtr
        | CType::VixStatusPtr
        | CType::SizeTPtr
        | CType::Int32Ptr
        | CType::Uint32Ptr
        | CType::Int64Ptr
        | CType::Uint64Ptr
        | CType::DoublePtr
        | CType::BoolPtr
        | CType::Handle
        | CType::HandlePtr
        | CType::VixStrPtr
        | CType::VixBufPtr
        | CType::VixMutBufPtr => Type::pointer(),
        CType::Void | CType::Int | CType::VixStr | CType::VixBuf | CType::VixMutBuf => return None,
    })
}

/// One argument, held where libffi can point at it for the length of the call.
enum Slot {
    Ptr(*mut c_void),
    Size(usize),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    F64(f64),
    U8(u8),
}

impl Slot {
    fn arg(&self) -> Arg<'_> {
        match self {
            Slot::Ptr(p) => Arg::new(p),
            Slot::Size(n) => Arg::new(n),
            Slot::I32(n) => Arg::new(n),
            Slot::U32(n) => Arg::new(n),
            Slot::I64(n) => Arg::new(n),
            Slot::U64(n) => Arg::new(n),
            Slot::F64(x) => Arg::new(x),
            Slot::U8(b) => Arg::new(b),
        }
    }

    /// The scalar `value` as a C argument of type `s` (values out of the type's range are
    /// wrapped, which the corpus never makes).
    fn scalar(s: Scalar, value: &Value) -> Slot {
        let int = match value {
            Value::Int(n) => *n,
            Value::Bool(b) => i128::from(*b),
            Value::Float(x) => *x as i128,
            Value::Buffer(_) => 0,
        };
        match s {
            Scalar::Int32 => Slot::I32(int as i32),
            Scalar::Uint32 => Slot::U32(int as u32),
            Scalar::Int64 => Slot::I64(int as i64),
            Scalar::Uint64 => Slot::U64(int as u64),
            Scalar::Size => Slot::Size(int as usize),
            Scalar::Bool => Slot::U8(u8::from(int != 0)),
            Scalar::Double => Slot::F64(match value {
                Value::Float(x) => *x,
                _ => int as f64,
            }),
        }
    }
}

/// A resolved function of a typed signature.
#[derive(Clone)]
pub struct Callee {
    /// Its signature.
    pub sig: Signature,
    /// Its address.
    code: usize,
}

/// How one call departs from an ordinary one (every pointer given).
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// The output buffer (buffer outputs only).
    pub out: Out,
    /// Pass this buffer input's pointer as NULL, with its real length.
    pub null_input: Option<usize>,
    /// Pass `out_len = NULL`.
    pub null_out_len: bool,
    /// Pass `out_value = NULL`.
    pub null_out_value: bool,
    /// Pass `out_status = NULL`.
    pub null_status: bool,
    /// Pass this pointer for this buffer input (a copy of its bytes placed elsewhere, such
    /// as against a guard page) instead of the input's own bytes.
    pub input_at: Option<(usize, *const u8)>,
}

impl Call {
    /// A buffer of `cap` bytes (ignored without a buffer output), every pointer given.
    pub fn cap(cap: usize) -> Call {
        Call {
            out: Out::Cap(cap),
            null_input: None,
            null_out_len: false,
            null_out_value: false,
            null_status: false,
            input_at: None,
        }
    }

    /// The size query: `out_ptr = NULL, out_cap = 0`.
    pub fn query() -> Call {
        Call {
            out: Out::Null(0),
            ..Call::cap(0)
        }
    }
}

/// What one call showed: as for an operation, plus `*out_value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// The status, `*out_len` and the output bytes.
    pub obs: Obs,
    /// The eight bytes at `out_value` ([`SENTINEL_VALUE`] when not written), when it was
    /// passed.
    pub value: Option<u64>,
}

impl Seen {
    /// Whether `*out_value` was written.
    pub fn value_written(&self) -> bool {
        self.value.is_some_and(|v| v != SENTINEL_VALUE)
    }
}

impl Callee {
    /// Wraps the address of a function declared with `sig`.
    ///
    /// # Safety
    /// `code` must be the address of a function whose C parameter list is exactly
    /// `sig.c_params()` and whose return type is `int`.
    pub unsafe fn new(sig: Signature, code: *mut c_void) -> Callee {
        Callee {
            sig,
            code: code as usize,
        }
    }

    /// Calls the function with `values` (one per parameter of the signature) and `call`.
    pub fn call(&self, values: &[Value], call: Call) -> Seen {
        let params = self.sig.c_params();
        let mut owned: Vec<u8>;
        let (out_ptr, out_cap) = match call.out {
            Out::Null(cap) => (std::ptr::null_mut(), cap),
            Out::Cap(cap) => {
                owned = vec![0u8; cap + SLACK];
                (owned.as_mut_ptr(), cap)
            }
            Out::Raw(ptr, cap) => (ptr, cap),
        };
        let mut out_len = SENTINEL_LEN;
        let mut value = SENTINEL_VALUE;
        let mut status = sentinel_status();
        let null = |yes: bool, p: *mut c_void| if yes { std::ptr::null_mut() } else { p };
        let mut slots = Vec::with_capacity(params.len());
        let mut types = Vec::with_capacity(params.len());
        for p in &params {
            types.push(ffi_type(p.ty).unwrap_or_else(Type::pointer));
            slots.push(match p.role {
                Role::InputPtr(i) => {
                    let input = values[i].buffer();
                    let ptr: *const u8 = match input {
                        Some(_) if call.input_at.is_some_and(|(at, _)| at == i) => {
                            call.input_at.map_or(std::ptr::null(), |(_, p)| p)
                        }
                        Some(input) if call.null_input != Some(i) && !input.null_ptr => {
                            if input.bytes.is_empty() {
                                EMPTY_INPUT.as_ptr()
                            } else {
                                input.bytes.as_ptr()
                            }
                        }
                        _ => std::ptr::null(),
                    };
                    Slot::Ptr(ptr.cast_mut().cast())
                }
                Role::InputLen(i) => Slot::Size(values[i].buffer().map_or(0, |b| b.bytes.len())),
                Role::Scalar(i) => match self.sig.params[i].ty {
                    vix_ffi_gen::manifest::ParamType::Scalar(s) => Slot::scalar(s, &values[i]),
                    _ => Slot::Size(0),
                },
                // Signatures with objects are not checked (see `shape_of`).
                Role::SelfHandle | Role::Object(_) | Role::OutHandle => {
                    Slot::Ptr(std::ptr::null_mut())
                }
                Role::OutPtr => Slot::Ptr(out_ptr.cast()),
                Role::OutCap => Slot::Size(out_cap),
                Role::OutLen => {
                    Slot::Ptr(null(call.null_out_len, (&mut out_len as *mut usize).cast()))
                }
                Role::OutValue => {
                    Slot::Ptr(null(call.null_out_value, (&mut value as *mut u64).cast()))
                }
                Role::Status => Slot::Ptr(null(
                    call.null_status,
                    (&mut status as *mut VixStatus).cast(),
                )),
            });
        }
        let cif = Cif::new(types, Type::c_int());
        let args: Vec<Arg> = slots.iter().map(Slot::arg).collect();
        // SAFETY: `Callee::new`'s contract makes `cif` (built from the same `c_params()`)
        // the function's true signature. Every pointer passed is NULL or points at a live
        // local or buffer of the size passed with it (plus slack after output buffers),
        // except where the rule under test breaks exactly that, in this throw-away
        // process.
        let rc: c_int =
            super::shim::armed(|| unsafe { cif.call(CodePtr(self.code as *mut c_void), &args) });
        let buffer_out = self.sig.output.is_buffer();
        let (code, message, message_view) = if call.null_status {
            (None, None, None)
        } else {
            // SAFETY: the library wrote this view (or left the sentinel).
            let message = unsafe { Message::read(status.message) };
            (
                Some(status.code),
                Some(message),
                Some((status.message.ptr as usize, status.message.len)),
            )
        };
        let out_len = (buffer_out && !call.null_out_len).then_some(out_len);
        let mut output = Vec::new();
        if code == Some(StatusCode::Ok as i32) && !out_ptr.is_null() && out_len <= Some(out_cap) {
            let n = out_len.unwrap_or(0);
            // SAFETY: `out_ptr` is writable (so readable) for `out_cap >= n` bytes.
            output = unsafe { std::slice::from_raw_parts(out_ptr, n) }.to_vec();
        }
        let value =
            (matches!(self.sig.output, Output::Scalar(_)) && !call.null_out_value).then_some(value);
        Seen {
            obs: Obs {
                rc: rc as i32,
                code,
                message,
                message_view,
                out_len,
                output,
            },
            value,
        }
    }

    /// For reports: the value at `out_value` as its type, e.g. `3`, `NaN`, `true`, or
    /// `not written`.
    pub fn show_value(&self, raw: u64) -> String {
        if raw == SENTINEL_VALUE {
            return "not written".into();
        }
        let Output::Scalar(s) = self.sig.output else {
            return String::new();
        };
        let bytes = raw.to_ne_bytes();
        let low4 = [bytes[0], bytes[1], bytes[2], bytes[3]];
        match s {
            Scalar::Int32 => i32::from_ne_bytes(low4).to_string(),
            Scalar::Uint32 => u32::from_ne_bytes(low4).to_string(),
            Scalar::Int64 => (raw as i64).to_string(),
            Scalar::Uint64 | Scalar::Size => raw.to_string(),
            Scalar::Double => format!("{:?}", f64::from_bits(raw)),
            Scalar::Bool => match bytes[0] {
                0 => "false".into(),
                1 => "true".into(),
                b => format!("the byte {b} (a bool is 0 or 1)"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vix_ffi::VixStr;
    use vix_ffi_gen::manifest::{Param, ParamType};

    /// Every scalar type and a buffer in one call: eight integer-class arguments and a
    /// double, so that some go on the stack on every common calling convention.
    #[allow(clippy::too_many_arguments)]
    extern "C" fn mix(
        data_ptr: *const u8,
        data_len: usize,
        a: i32,
        b: u32,
        c: i64,
        d: u64,
        e: usize,
        f: f64,
        g: bool,
        out_value: *mut f64,
        out_status: *mut VixStatus,
    ) -> c_int {
        let first = if data_ptr.is_null() || data_len == 0 {
            0.0
        } else {
            // SAFETY: the caller passes `data_len` readable bytes.
            f64::from(unsafe { *data_ptr })
        };
        let sum = first
            + data_len as f64
            + f64::from(a)
            + f64::from(b)
            + c as f64
            + d as f64
            + e as f64
            + f
            + if g { 0.5 } else { 0.0 };
        let code = if out_value.is_null() {
            StatusCode::InvalidArg
        } else {
            // SAFETY: a live f64 of the caller.
            unsafe { *out_value = sum };
            StatusCode::Ok
        };
        if !out_status.is_null() {
            // SAFETY: a live status of the caller.
            unsafe {
                *out_status = VixStatus {
                    code: code as i32,
                    message: VixStr {
                        ptr: std::ptr::null(),
                        len: 0,
                    },
                }
            };
        }
        c_int::from(code != StatusCode::Ok)
    }

    fn callee() -> Callee {
        let scalar = |name: &str, s: Scalar| Param::new(name, ParamType::Scalar(s));
        let sig = Signature {
            receiver: None,
            params: vec![
                Param::new("data", ParamType::Bytes),
                scalar("a", Scalar::Int32),
                scalar("b", Scalar::Uint32),
                scalar("c", Scalar::Int64),
                scalar("d", Scalar::Uint64),
                scalar("e", Scalar::Size),
                scalar("f", Scalar::Double),
                scalar("g", Scalar::Bool),
            ],
            output: Output::Scalar(Scalar::Double),
        };
        // SAFETY: `mix` has exactly the C parameter list of `sig` and returns int.
        unsafe { Callee::new(sig, mix as *mut c_void) }
    }

    fn values() -> Vec<Value> {
        vec![
            Value::Buffer(crate::corpus::Input {
                label: "x".into(),
                bytes: vec![7, 0, 0],
                null_ptr: false,
            }),
            Value::Int(-2),
            Value::Int(3),
            Value::Int(-40),
            Value::Int(50),
            Value::Int(600),
            Value::Float(0.25),
            Value::Bool(true),
        ]
    }

    #[test]
    fn every_argument_reaches_its_c_parameter() {
        let callee = callee();
        let seen = callee.call(&values(), Call::cap(0));
        assert_eq!((seen.obs.rc, seen.obs.code), (0, Some(0)));
        let want = 7.0 + 3.0 - 2.0 + 3.0 - 40.0 + 50.0 + 600.0 + 0.25 + 0.5;
        assert_eq!(seen.value, Some(f64::to_bits(want)));
        assert_eq!(callee.show_value(want.to_bits()), "621.75");
        assert_eq!(seen.obs.out_len, None);
    }

    #[test]
    fn null_pointers_are_passed_where_asked() {
        let callee = callee();
        let call = Call {
            null_out_value: true,
            ..Call::cap(0)
        };
        let seen = callee.call(&values(), call);
        assert_eq!((seen.obs.rc, seen.obs.code), (1, Some(2)));
        assert_eq!(seen.value, None);
        let call = Call {
            null_input: Some(0),
            null_status: true,
            ..Call::cap(0)
        };
        let seen = callee.call(&values(), call);
        assert_eq!((seen.obs.rc, seen.obs.code), (0, None));
        // The first byte is not read (NULL), the length still is.
        let want: f64 = 3.0 + 3.0 - 2.0 - 40.0 + 50.0 + 600.0 + 0.25 + 0.5;
        assert_eq!(seen.value, Some(want.to_bits()));
        assert!(seen.value_written());
        assert_eq!(callee.show_value(SENTINEL_VALUE), "not written");
    }
}
