//! Typed signatures the ABI has no types for, and attributes that do not fit them.
use vix_ffi::{Output, Result};

#[vix_ffi::export(prefix = "p_")]
pub fn narrow(data: &[u8], level: i16) -> Result<Vec<u8>> {
    Ok(data.repeat(level as usize))
}

#[vix_ffi::export(prefix = "p_")]
pub fn single(x: f64) -> Result<f32> {
    Ok(x as f32)
}

#[vix_ffi::export(prefix = "p_")]
pub fn pattern((a, b): (u32, u32)) -> Result<u32> {
    Ok(a + b)
}

#[vix_ffi::export(prefix = "p_", kind = "bytes_to_str")]
pub fn kinded(data: &[u8], n: u32) -> Result<String> {
    Ok(format!("{}", data.len() as u32 + n))
}

#[vix_ffi::export(prefix = "p_", ascii)]
pub fn count(data: &[u8], n: u32) -> Result<u32> {
    Ok(data.len() as u32 + n)
}

#[vix_ffi::export(prefix = "p_", output_blocks = (1, 2))]
pub fn two_inputs(a: &[u8], b: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(a)?;
    out.extend_from_slice(b)
}

#[vix_ffi::export(prefix = "p_")]
pub fn clash(out_status: u32) -> Result<u32> {
    Ok(out_status)
}

fn main() {}
