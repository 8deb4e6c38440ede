use vix_ffi::{Output, Result};

/// The version string is not written into an output buffer.
#[vix_ffi::export(prefix = "p_", ascii)]
pub const VERSION: &str = "1.0";

/// `Vec<u8>` is bytes.
#[vix_ffi::export(prefix = "p_", ascii)]
pub fn bytes_out(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.to_vec())
}

/// A sized output is bytes unless `kind` says otherwise.
#[vix_ffi::export(prefix = "p_", size = |data| Ok(data.len()), ascii)]
pub fn sized_bytes(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// An explicit bytes kind.
#[vix_ffi::export(prefix = "p_", kind = "bytes_to_bytes", ascii)]
pub fn bytes_kind(data: &[u8]) -> Result<String> {
    Ok(String::from_utf8_lossy(data).into_owned())
}

/// Given twice.
#[vix_ffi::export(prefix = "p_", ascii, kind = "bytes_to_str", ascii)]
pub fn twice(data: &[u8]) -> Result<String> {
    Ok(String::from_utf8_lossy(data).into_owned())
}

/// With a value.
#[vix_ffi::export(prefix = "p_", ascii = true)]
pub fn valued(data: &[u8]) -> Result<String> {
    Ok(String::from_utf8_lossy(data).into_owned())
}

fn main() {}
