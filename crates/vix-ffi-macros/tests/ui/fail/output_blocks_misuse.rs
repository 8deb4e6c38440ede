use vix_ffi::{Output, Result};

/// Two ways to give one size.
#[vix_ffi::export(prefix = "p_", size = |d| Ok(d.len()), output_blocks = (1, 1))]
pub fn both(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// A block of no input bytes.
#[vix_ffi::export(prefix = "p_", output_blocks = (0, 4))]
pub fn zero(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// Past `u32::MAX`.
#[vix_ffi::export(prefix = "p_", output_blocks = (3, 4294967296))]
pub fn too_big(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

const FOUR: u32 = 4;

/// A constant is not a literal.
#[vix_ffi::export(prefix = "p_", output_blocks = (3, FOUR))]
pub fn named(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// Three values.
#[vix_ffi::export(prefix = "p_", output_blocks = (3, 4, 5))]
pub fn three(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// Not in parentheses.
#[vix_ffi::export(prefix = "p_", output_blocks = 3)]
pub fn bare(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// Given twice.
#[vix_ffi::export(prefix = "p_", output_blocks = (3, 4), output_blocks = (3, 4))]
pub fn twice(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// Without `=`.
#[vix_ffi::export(prefix = "p_", output_blocks(3, 4))]
pub fn call_form(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// The version string has no output buffer.
#[vix_ffi::export(prefix = "p_", output_blocks = (3, 4))]
pub const VERSION: &str = "1.0";

/// A `Vec<u8>` is built before its size is known.
#[vix_ffi::export(prefix = "p_", output_blocks = (1, 1))]
pub fn vec_out(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.to_vec())
}

/// So is a `String`.
#[vix_ffi::export(prefix = "p_", output_blocks = (1, 2), ascii)]
pub fn string_out(data: &[u8]) -> Result<String> {
    Ok(data.iter().map(|b| format!("{b:02x}")).collect())
}

fn main() {}
