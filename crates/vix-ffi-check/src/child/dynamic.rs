//! Calling a function of a typed signature, whose C parameter list is known only at run
//! time, through libffi.
//!
//! The parameter list is [`Signature::c_params`]: each C parameter's [`Role`] says which
//! argument value, buffer, length or out-pointer goes there, and its [`CType`] the libffi
//! type it is passed as. Nothing here matches on particular signatures.
//!
//! Every out-parameter is pre-filled with a sentinel, as for the operation shape, so that
//! "not written" can be told from any value the library could write.
//!
//! Objects (ABI v1.1): a method's `self` and each object argument is a live object made
//! for the call by its class's constructor (a [`Life`]), unless the call passes one
//! ([`Call::this`]) or asks for NULL; every object a call made or returned is released
//! with the class's `free` at the start of the next call on the thread, so that a status
//! message stays valid until then, as the contract says.

use std::cell::RefCell;
use std::ffi::c_void;
use std::os::raw::c_int;

use libffi::middle::{Arg, Cif, CodePtr, Type};
use vix_ffi::{StatusCode, VixStatus};
use vix_ffi_gen::manifest::{CType, Output, Role, Scalar, Signature};

use super::ffi::{sentinel_status, Message, Obs, Out, SENTINEL_LEN, SLACK};
use crate::values::Value;

/// Pre-filled `*out_value`: eight bytes no scalar result is likely to be.
pub const SENTINEL_VALUE: u64 = 0x5eed_a11e_5eed_a11e;

/// Pre-filled `*out_handle`: an address no allocator gives (odd, in no mapping).
pub const SENTINEL_HANDLE: usize = 0x5eed_0b1e_c7ed_0001_u64 as usize;

/// `void <c_name>_free(pkg_thing *self)`.
pub type FreeFn = unsafe extern "C" fn(*mut c_void);

thread_local! {
    /// The objects the last call on this thread made or received: `(free, handle)`.
    static PENDING: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Releases the objects the last call on this thread made or received (counted by the
/// shim as the calls are, with no allocation failing).
pub fn release_pending() {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if pending.is_empty() {
        return;
    }
    super::shim::unfailing(|| {
        for (free, handle) in pending {
            // SAFETY: `free` is the class's `free` and `handle` an object of that class
            // this thread made or was given, released once.
            super::shim::armed(|| unsafe {
                std::mem::transmute::<usize, FreeFn>(free)(handle as *mut c_void)
            });
        }
    });
}

/// How to make and release the objects of one class, resolved in the library.
#[derive(Clone)]
pub struct Life {
    /// The class's index in the manifest.
    pub id: u32,
    /// The class's name, for reports.
    pub name: String,
    /// The `free` symbol, for reports.
    pub free_symbol: String,
    free: usize,
    /// The call that makes one, its arguments and its name in reports.
    maker: Option<Box<(Callee, Vec<Value>, String)>>,
}

impl Life {
    /// A class whose objects are released by the function at `free` and made by
    /// `maker` (a callee returning the class, its arguments and its name).
    ///
    /// # Safety
    /// `free` must be the address of the class's `void free(pkg_thing *)`.
    pub unsafe fn new(
        id: u32,
        name: String,
        free_symbol: String,
        free: *mut c_void,
        maker: Option<(Callee, Vec<Value>, String)>,
    ) -> Life {
        Life {
            id,
            name,
            free_symbol,
            free: free as usize,
            maker: maker.map(Box::new),
        }
    }

    /// For reports: `Hasher.new(key=None (NULL))`.
    pub fn maker_call(&self) -> String {
        match &self.maker {
            Some(m) => {
                let (callee, args, name) = &**m;
                let shown: Vec<String> = callee
                    .sig
                    .params
                    .iter()
                    .zip(args)
                    .map(|(p, v)| format!("{}={}", p.name, v.show()))
                    .collect();
                format!("{name}({})", shown.join(", "))
            }
            None => format!("(no way to make a {})", self.name),
        }
    }

    /// A new object, made with no allocation failing; why not when it cannot be made.
    pub fn make(&self) -> Result<usize, String> {
        let Some(m) = &self.maker else {
            return Err(format!(
                "the manifest gives no way to create a {} on its own (no init, and no \
                 function without object parameters returns one)",
                self.name
            ));
        };
        let (callee, args, _) = &**m;
        let call = Call {
            keep_handle: true,
            ..Call::cap(0)
        };
        let seen = super::shim::unfailing(|| callee.call(args, call));
        match seen.handle {
            Some(h) if seen.obs.ok() && h != 0 && h != SENTINEL_HANDLE => Ok(h),
            _ => Err(format!("{} gave {}", self.maker_call(), seen.obs.show())),
        }
    }

    /// Calls `free(handle)`, counted by the shim, with no allocation failing.
    pub fn free(&self, handle: usize) {
        super::shim::unfailing(|| {
            // SAFETY: `free` is the class's `free` (`Life::new`'s contract); `handle` is
            // NULL or an object of the class the caller releases once.
            super::shim::armed(|| unsafe {
                std::mem::transmute::<usize, FreeFn>(self.free)(handle as *mut c_void)
            })
        });
    }

    /// Releases `handle` at the start of the next call on this thread.
    fn release_later(&self, handle: usize) {
        PENDING.with(|p| p.borrow_mut().push((self.free, handle)));
    }
}

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
            Value::Buffer(_) | Value::Object => 0,
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
    /// The classes its signature names.
    lives: Vec<Life>,
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
    /// Pass `self = NULL`.
    pub null_self: bool,
    /// Pass this object parameter as NULL.
    pub null_object: Option<usize>,
    /// Pass `out_handle = NULL`.
    pub null_out_handle: bool,
    /// Pass this object as `self` (the caller's, kept) instead of a new one.
    pub this: Option<usize>,
    /// Leave the object the call returns to the caller (in [`Seen::handle`]) rather than
    /// releasing it.
    pub keep_handle: bool,
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
            null_self: false,
            null_object: None,
            null_out_handle: false,
            this: None,
            keep_handle: false,
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
    /// The pointer at `out_handle` ([`SENTINEL_HANDLE`] when not written), when it was
    /// passed.
    pub handle: Option<usize>,
}

impl Seen {
    /// Whether `*out_value` was written.
    pub fn value_written(&self) -> bool {
        self.value.is_some_and(|v| v != SENTINEL_VALUE)
    }

    /// Whether `*out_handle` was written with a non-NULL handle.
    pub fn handle_given(&self) -> bool {
        self.handle.is_some_and(|h| h != SENTINEL_HANDLE && h != 0)
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
            lives: Vec::new(),
        }
    }

    /// The same, making and releasing the objects its signature names with `lives`.
    pub fn with_lives(mut self, lives: Vec<Life>) -> Callee {
        self.lives = lives;
        self
    }

    /// The class `id`, when its signature names it.
    pub fn life(&self, id: u32) -> Option<&Life> {
        self.lives.iter().find(|l| l.id == id)
    }

    /// The class of a method's `self`.
    pub fn receiver(&self) -> Option<&Life> {
        self.sig.receiver.and_then(|c| self.life(c.0))
    }

    /// Makes one object of every class the call needs (`self`, object parameters) once,
    /// and releases them: why not, for the first that cannot be made.
    pub fn objects_ready(&self) -> Result<(), String> {
        let params = self.sig.params.iter().filter_map(|p| match p.ty {
            vix_ffi_gen::manifest::ParamType::Object(c) => Some(c),
            _ => None,
        });
        for c in self.sig.receiver.into_iter().chain(params) {
            let life = self
                .life(c.0)
                .ok_or_else(|| format!("class {} unknown to the checker", c.0))?;
            let h = life.make()?;
            life.free(h);
        }
        Ok(())
    }

    /// A new object of class `id` for an argument, remembered in `made`; NULL when it
    /// cannot be made.
    fn argument(&self, id: u32, made: &mut Vec<(usize, usize)>) -> usize {
        match self.life(id).map(|life| (life, life.make())) {
            Some((life, Ok(h))) => {
                made.push((life.free, h));
                h
            }
            _ => 0,
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
        release_pending();
        // Objects made for the call; one that cannot be made is passed as NULL (the rules
        // check first that the class's objects can be made: `objects_ready`).
        let mut made = Vec::new();
        let mut out_handle = SENTINEL_HANDLE;
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
                Role::SelfHandle => {
                    let h = match (call.null_self, call.this, self.sig.receiver) {
                        (true, _, _) | (false, None, None) => 0,
                        (false, Some(h), _) => h,
                        (false, None, Some(c)) => self.argument(c.0, &mut made),
                    };
                    Slot::Ptr(h as *mut c_void)
                }
                Role::Object(i) => {
                    let h = match self.sig.params[i].ty {
                        vix_ffi_gen::manifest::ParamType::Object(c)
                            if call.null_object != Some(i) =>
                        {
                            self.argument(c.0, &mut made)
                        }
                        _ => 0,
                    };
                    Slot::Ptr(h as *mut c_void)
                }
                Role::OutHandle => Slot::Ptr(null(
                    call.null_out_handle,
                    (&mut out_handle as *mut usize).cast(),
                )),
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
        let handle = match self.sig.output {
            Output::Object(c) if !call.null_out_handle => {
                // Only a success gives the caller a handle to own; whatever a failed call
                // wrote there is not released (it may be garbage: `handle-output` says so).
                if rc == 0 && out_handle != SENTINEL_HANDLE && out_handle != 0 && !call.keep_handle
                {
                    if let Some(life) = self.life(c.0) {
                        life.release_later(out_handle);
                    }
                }
                Some(out_handle)
            }
            _ => None,
        };
        PENDING.with(|p| p.borrow_mut().extend(made));
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
            handle,
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
        write_status(out_status, code)
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

    /// Objects of a class `thing` (a boxed `u64`) that tests count.
    static LIVE_THINGS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

    fn write_status(out_status: *mut VixStatus, code: StatusCode) -> c_int {
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

    extern "C" fn thing_new(
        seed: u64,
        out_handle: *mut *mut u64,
        out_status: *mut VixStatus,
    ) -> c_int {
        if out_handle.is_null() {
            return write_status(out_status, StatusCode::InvalidArg);
        }
        LIVE_THINGS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // SAFETY: a live out-pointer of the caller.
        unsafe { *out_handle = Box::into_raw(Box::new(seed)) };
        write_status(out_status, StatusCode::Ok)
    }

    extern "C" fn thing_get(
        this: *mut u64,
        out_value: *mut u64,
        out_status: *mut VixStatus,
    ) -> c_int {
        if this.is_null() || out_value.is_null() {
            return write_status(out_status, StatusCode::InvalidArg);
        }
        // SAFETY: a live thing and out-pointer of the caller.
        unsafe { *out_value = *this + 1 };
        write_status(out_status, StatusCode::Ok)
    }

    extern "C" fn thing_free(this: *mut u64) {
        if !this.is_null() {
            LIVE_THINGS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            // SAFETY: a thing made by `thing_new`, released once.
            drop(unsafe { Box::from_raw(this) });
        }
    }

    fn thing_life() -> Life {
        let thing = vix_ffi_gen::manifest::ClassId(0);
        let new = Signature {
            receiver: None,
            params: vec![Param::new("seed", ParamType::Scalar(Scalar::Uint64))],
            output: Output::Object(thing),
        };
        // SAFETY: `thing_new` has the C parameter list of `new`.
        let maker = unsafe { Callee::new(new, thing_new as *mut c_void) };
        // SAFETY: `thing_free` is the class's free.
        unsafe {
            Life::new(
                0,
                "Thing".into(),
                "thing_free".into(),
                thing_free as *mut c_void,
                Some((maker, vec![Value::Int(41)], "Thing.new".into())),
            )
        }
    }

    #[test]
    fn a_method_gets_a_live_self_and_every_object_is_released() {
        let life = thing_life();
        let get = Signature {
            receiver: Some(vix_ffi_gen::manifest::ClassId(0)),
            params: vec![],
            output: Output::Scalar(Scalar::Uint64),
        };
        // SAFETY: `thing_get` has the C parameter list of `get`.
        let callee = unsafe { Callee::new(get, thing_get as *mut c_void) }.with_lives(vec![life]);
        assert_eq!(callee.receiver().map(|l| l.name.as_str()), Some("Thing"));
        assert_eq!(callee.objects_ready(), Ok(()));
        // self is a Thing made with the seed 41.
        let seen = callee.call(&[], Call::cap(0));
        assert_eq!((seen.obs.code, seen.value), (Some(0), Some(42)));
        // A NULL self is passed as asked.
        let seen = callee.call(
            &[],
            Call {
                null_self: true,
                ..Call::cap(0)
            },
        );
        assert_eq!(seen.obs.code, Some(StatusCode::InvalidArg as i32));
        assert!(!seen.value_written());
        // The caller's own object as self, kept.
        let mine = callee.receiver().map(Life::make).and_then(Result::ok);
        let mine = mine.expect("a Thing");
        // SAFETY: a live thing.
        unsafe { *(mine as *mut u64) = 6 };
        let seen = callee.call(
            &[],
            Call {
                this: Some(mine),
                ..Call::cap(0)
            },
        );
        assert_eq!(seen.value, Some(7));
        release_pending();
        // Only the caller's object is left.
        assert_eq!(LIVE_THINGS.load(std::sync::atomic::Ordering::SeqCst), 1);
        if let Some(life) = callee.receiver() {
            life.free(mine);
        }
        assert_eq!(LIVE_THINGS.load(std::sync::atomic::Ordering::SeqCst), 0);
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
