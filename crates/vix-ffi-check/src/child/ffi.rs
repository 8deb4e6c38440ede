//! Calling the library: raw calls with sentinels, and what they show.
//!
//! Every out-parameter is pre-filled with a sentinel before a call, so that "not written"
//! can be told from any value the library could write.

use std::os::raw::c_int;

use vix_ffi::{StatusCode, VixStatus, VixStr};

use crate::corpus::Input;

/// `int f(in_ptr, in_len, out_ptr, out_cap, out_len, out_status)`; the pointer types of
/// `in_ptr`/`out_ptr` (u8, char, void) and `int`/`int32_t` are the same at the ABI level.
pub type OpFn =
    unsafe extern "C" fn(*const u8, usize, *mut u8, usize, *mut usize, *mut VixStatus) -> c_int;

/// `vix_str f(vix_status *out_status)`.
pub type VersionFn = unsafe extern "C" fn(*mut VixStatus) -> VixStr;

/// Pre-filled status code: no ABI code, unlikely from a library.
pub const SENTINEL_CODE: i32 = 0x7a11_5eed;
/// Pre-filled `*out_len`.
pub const SENTINEL_LEN: usize = usize::MAX - 0x5a5a;
/// Pre-filled status message: its address tells it apart from anything a library writes.
static SENTINEL_MESSAGE: [u8; 16] = *b"<vix-ffi-check!>";
/// Status messages longer than this are not read (a garbage length would fault).
pub const MAX_MESSAGE: usize = 1 << 20;
/// No buffer larger than this is allocated, whatever size the library asks for.
pub const MAX_ALLOC: usize = 256 << 20;
/// Extra bytes allocated (but not offered) after every output buffer, so that a library
/// that writes a little past `out_cap` corrupts nothing of ours: `no-overflow` looks for
/// such writes; other rules should not crash because of them.
pub const SLACK: usize = 4096;

/// Non-null pointer for an empty, non-null input.
static EMPTY_INPUT: [u8; 1] = [0];

/// A fresh status holding the sentinel.
pub fn sentinel_status() -> VixStatus {
    VixStatus {
        code: SENTINEL_CODE,
        message: VixStr {
            ptr: SENTINEL_MESSAGE.as_ptr().cast(),
            len: SENTINEL_MESSAGE.len(),
        },
    }
}

/// A status message, as read after a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// The sentinel is still there.
    NotWritten,
    /// Length 0.
    Empty,
    /// The bytes at `ptr[0..len]`.
    Text(Vec<u8>),
    /// `ptr` NULL with a non-zero length.
    NullWithLength(usize),
    /// A length above [`MAX_MESSAGE`]: not read.
    TooLong(usize),
}

impl Message {
    /// Reads the message view `s`.
    ///
    /// # Safety
    /// `s` must have been written by the library (or be the sentinel); when it is not null
    /// and its length is at most [`MAX_MESSAGE`] it is read: a lying library may crash the
    /// process here, which is what the child process is for.
    pub unsafe fn read(s: VixStr) -> Message {
        if s.ptr.cast::<u8>() == SENTINEL_MESSAGE.as_ptr() && s.len == SENTINEL_MESSAGE.len() {
            return Message::NotWritten;
        }
        if s.len == 0 {
            return Message::Empty;
        }
        if s.ptr.is_null() {
            return Message::NullWithLength(s.len);
        }
        if s.len > MAX_MESSAGE {
            return Message::TooLong(s.len);
        }
        // SAFETY: non-null with a plausible length; the library promised `len` readable
        // bytes (if it lied, the child dies and the parent reports it).
        Message::Text(unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) }.to_vec())
    }

    /// What is wrong with it as a status message, if anything.
    pub fn problem(&self) -> Option<String> {
        match self {
            Message::NotWritten | Message::Empty => None,
            Message::NullWithLength(len) => Some(format!("ptr NULL with len {len}")),
            Message::TooLong(len) => Some(format!("implausible len {len}")),
            Message::Text(bytes) => text_problem(bytes),
        }
    }

    /// For reports: the text, quoted and shortened.
    pub fn show(&self) -> String {
        match self {
            Message::NotWritten => "message not written".into(),
            Message::Empty => "empty message".into(),
            Message::NullWithLength(len) => format!("message ptr NULL with len {len}"),
            Message::TooLong(len) => format!("message of implausible len {len}"),
            Message::Text(bytes) => {
                let shown: String = String::from_utf8_lossy(bytes).chars().take(120).collect();
                format!("message {shown:?}")
            }
        }
    }
}

/// Whether `bytes` is a good string of its stated length: valid UTF-8, no NUL (a NUL means
/// the length counted a terminator or a buffer size rather than the text).
pub fn text_problem(bytes: &[u8]) -> Option<String> {
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let end = (at + 4).min(bytes.len());
        return Some(format!(
            "invalid UTF-8 at offset {at} of {} bytes (bytes {:02x?})",
            bytes.len(),
            &bytes[at..end]
        ));
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Some(format!(
            "a NUL byte at offset {at} of {} bytes (does len count a terminator?)",
            bytes.len()
        ));
    }
    None
}

/// The name of a status code for reports.
pub fn code_name(code: i32) -> String {
    if code == SENTINEL_CODE {
        return "status not written".into();
    }
    match StatusCode::try_from(code) {
        Ok(code) => code.c_name().into(),
        Err(other) if other >= 1000 => format!("library status code {other}"),
        Err(other) => format!("unknown status code {other} (reserved by the ABI)"),
    }
}

/// What one call of an operation showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obs {
    /// The return value.
    pub rc: i32,
    /// `out_status->code`, when a status was passed (may be [`SENTINEL_CODE`]).
    pub code: Option<i32>,
    /// `out_status->message`, when a status was passed.
    pub message: Option<Message>,
    /// The raw message view (for re-reading it later).
    pub message_view: Option<(usize, usize)>,
    /// `*out_len` ([`SENTINEL_LEN`] when not written), when `out_len` was passed.
    pub out_len: Option<usize>,
    /// The output bytes, on success with `*out_len <= out_cap`.
    pub output: Vec<u8>,
}

impl Obs {
    /// Whether the status says OK.
    pub fn ok(&self) -> bool {
        self.code == Some(StatusCode::Ok as i32)
    }

    /// Whether the status says BUFFER_TOO_SMALL.
    pub fn too_small(&self) -> bool {
        self.code == Some(StatusCode::BufferTooSmall as i32)
    }

    /// `*out_len`, when it was written.
    pub fn len(&self) -> Option<usize> {
        self.out_len.filter(|&n| n != SENTINEL_LEN)
    }

    /// For reports: `VIX_STATUS_BUFFER_TOO_SMALL, out_len 8` and the like.
    pub fn show(&self) -> String {
        let mut parts = Vec::new();
        match self.code {
            Some(code) => parts.push(code_name(code)),
            None => parts.push(format!("rc {}", self.rc)),
        }
        match self.out_len {
            Some(SENTINEL_LEN) => parts.push("out_len not written".into()),
            Some(n) => parts.push(format!("out_len {n}")),
            None => {}
        }
        if let Some(message) = &self.message {
            if !self.ok() && matches!(message, Message::Text(_)) {
                parts.push(message.show());
            }
        }
        parts.join(", ")
    }
}

/// Where the output goes.
#[derive(Clone, Copy, Debug)]
pub enum Out {
    /// `out_ptr = NULL` with this capacity.
    Null(usize),
    /// A buffer of this capacity (with [`SLACK`] bytes after it).
    Cap(usize),
    /// A caller-owned region.
    Raw(*mut u8, usize),
}

impl Out {
    /// For reports.
    pub fn show(self) -> String {
        match self {
            Out::Null(cap) => format!("out_ptr NULL, out_cap {cap}"),
            Out::Cap(cap) | Out::Raw(_, cap) => format!("out_cap {cap}"),
        }
    }
}

/// One call's arguments beyond the input.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    /// The output.
    pub out: Out,
    /// Pass `out_len = NULL`.
    pub null_out_len: bool,
    /// Pass `out_status = NULL`.
    pub null_status: bool,
    /// Pass `in_ptr = NULL` (with the input's real length).
    pub null_in_ptr: bool,
    /// Pass this `in_ptr` (a copy of the input's bytes placed elsewhere, such as against
    /// a guard page) instead of the input's own bytes.
    pub in_at: Option<*const u8>,
}

impl Args {
    /// A buffer of `cap` bytes, every pointer given.
    pub fn cap(cap: usize) -> Args {
        Args {
            out: Out::Cap(cap),
            null_out_len: false,
            null_status: false,
            null_in_ptr: false,
            in_at: None,
        }
    }

    /// The size query: `out_ptr = NULL, out_cap = 0`.
    pub fn query() -> Args {
        Args {
            out: Out::Null(0),
            ..Args::cap(0)
        }
    }
}

/// A resolved operation.
#[derive(Clone, Copy)]
pub struct Op {
    f: OpFn,
}

impl Op {
    /// Wraps a symbol resolved as [`OpFn`].
    ///
    /// # Safety
    /// `f` must be a function of the operation shape (as the manifest declares).
    pub unsafe fn new(f: OpFn) -> Op {
        Op { f }
    }

    /// Calls the function on `input` with `args`.
    pub fn call(&self, input: &Input, args: Args) -> Obs {
        let in_ptr = if let Some(at) = args.in_at {
            at
        } else if args.null_in_ptr || input.null_ptr {
            std::ptr::null()
        } else if input.bytes.is_empty() {
            EMPTY_INPUT.as_ptr()
        } else {
            input.bytes.as_ptr()
        };
        let mut owned;
        let (out_ptr, out_cap) = match args.out {
            Out::Null(cap) => (std::ptr::null_mut(), cap),
            Out::Cap(cap) => {
                owned = vec![0u8; cap + SLACK];
                (owned.as_mut_ptr(), cap)
            }
            Out::Raw(ptr, cap) => (ptr, cap),
        };
        let mut out_len = SENTINEL_LEN;
        let mut status = sentinel_status();
        let out_len_ptr: *mut usize = if args.null_out_len {
            std::ptr::null_mut()
        } else {
            &mut out_len
        };
        let status_ptr: *mut VixStatus = if args.null_status {
            std::ptr::null_mut()
        } else {
            &mut status
        };
        // SAFETY: the arguments honour the operation shape's contract (or break exactly
        // the rule under test, in this throw-away process): the input is readable for
        // its length, the output writable for `out_cap` bytes (plus slack), `out_len` and
        // `status` are live locals or NULL.
        let rc = super::shim::armed(|| unsafe {
            (self.f)(
                in_ptr,
                input.bytes.len(),
                out_ptr,
                out_cap,
                out_len_ptr,
                status_ptr,
            )
        });
        let (code, message, message_view) = if args.null_status {
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
        let out_len = (!args.null_out_len).then_some(out_len);
        let mut output = Vec::new();
        if code == Some(StatusCode::Ok as i32) && !out_ptr.is_null() && out_len <= Some(out_cap) {
            let n = out_len.unwrap_or(0);
            // SAFETY: `out_ptr` is writable (so readable) for `out_cap >= n` bytes.
            output = unsafe { std::slice::from_raw_parts(out_ptr, n) }.to_vec();
        }
        Obs {
            rc,
            code,
            message,
            message_view,
            out_len,
            output,
        }
    }
}
