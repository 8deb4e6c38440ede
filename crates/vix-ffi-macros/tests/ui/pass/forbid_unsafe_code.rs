//! Every accepted form, in a crate that forbids unsafe code and requires docs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use vix_ffi::{Error, Output, Result};

/// Bytes to bytes.
#[vix_ffi::export(prefix = "ok_")]
pub fn reverse(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.iter().rev().copied().collect())
}

/// Bytes to text, with the full error type and paths.
#[vix_ffi::export(prefix = "ok_")]
pub fn hex(data: &'_ [u8]) -> std::result::Result<std::string::String, vix_ffi::Error> {
    Ok(data.iter().map(|b| format!("{b:02x}")).collect())
}

/// Text to bytes, private, with a raw identifier.
#[vix_ffi::export(prefix = "ok_")]
fn r#type(text: &str) -> Result<Vec<u8>> {
    Ok(text.as_bytes().to_vec())
}

/// Text to text, with the library's own error type.
#[vix_ffi::export(prefix = "ok_")]
pub fn shout(text: &str) -> Result<String, Quiet> {
    Ok(text.to_uppercase())
}

/// The library's error.
pub struct Quiet;

impl From<Quiet> for Error {
    fn from(_: Quiet) -> Error {
        Error::other("quiet")
    }
}

fn exact(data: &[u8]) -> Result<usize> {
    Ok(data.len())
}

/// Sized, with a named size function, text output.
#[vix_ffi::export(prefix = "ok_", size = exact, kind = "str_to_str")]
pub fn copy(text: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(text)
}

/// Bytes to text promised ASCII, checked in debug builds.
#[vix_ffi::export(prefix = "ok_", ascii)]
pub fn hex_ascii(data: &[u8]) -> Result<String> {
    Ok(data.iter().map(|b| format!("{b:02x}")).collect())
}

/// Sized text promised ASCII, the flag first.
#[vix_ffi::export(ascii, prefix = "ok_", size = exact, kind = "bytes_to_str")]
pub fn digits(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    for b in data {
        out.push(b'0' + b % 10)?;
    }
    Ok(())
}

/// Sized, with a closure over text.
#[vix_ffi::export(prefix = "ok_", size = |text| Ok(text.len()))]
pub fn lower(text: &str, out: &mut vix_ffi::Output) -> Result<()> {
    out.push_str(&text.to_ascii_lowercase())
}

/// Sized by the macro from blocks, text promised ASCII.
#[vix_ffi::export(prefix = "ok_", output_blocks = (1, 2), kind = "bytes_to_str", ascii)]
pub fn hexlify(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    for b in data {
        out.push_str(&format!("{b:02x}"))?;
    }
    Ok(())
}

/// Sized by the macro from blocks, over text, the numbers with the `u32` suffix.
#[vix_ffi::export(output_blocks = (4u32, 3u32), prefix = "ok_", kind = "str_to_bytes")]
pub fn shrink(text: &str, out: &mut Output<'_>) -> Result<()> {
    for chunk in text.as_bytes().chunks(4) {
        out.extend_from_slice(&chunk[..chunk.len().min(3)])?;
    }
    Ok(())
}

/// The version.
#[vix_ffi::export(prefix = "ok_")]
pub const VERSION: &'static str = "0.0.1";

type Op = unsafe extern "C" fn(
    *const u8,
    usize,
    *mut u8,
    usize,
    *mut usize,
    *mut vix_ffi::VixStatus,
) -> std::os::raw::c_int;

fn main() {
    let _: [Op; 10] = [
        ok_reverse,
        ok_hex,
        ok_type,
        ok_shout,
        ok_copy,
        ok_lower,
        ok_hex_ascii,
        ok_digits,
        ok_hexlify,
        ok_shrink,
    ];
    let _: unsafe extern "C" fn(*mut vix_ffi::VixStatus) -> vix_ffi::VixStr = ok_ffi_version;
}
