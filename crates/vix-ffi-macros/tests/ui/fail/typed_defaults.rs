//! Defaults and passing rules of typed signatures that cannot be.

/// A default of the wrong type.
#[vix_ffi::export(prefix = "p_", default(seed = "0"))]
pub fn crc(data: &[u8], seed: u32) -> vix_ffi::Result<u32> {
    Ok(data.len() as u32 + seed)
}

/// Out of range for the type.
#[vix_ffi::export(prefix = "p_", default(level = -1))]
pub fn pack(data: &[u8], level: u32) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.repeat(level as usize))
}

/// An `f64` default written as an integer, and a text default for bytes.
#[vix_ffi::export(prefix = "p_", default(scale = 1, pad = "="))]
pub fn scaled(pad: &[u8], scale: f64) -> vix_ffi::Result<f64> {
    Ok(pad.len() as f64 * scale)
}

/// A name that is not a parameter, and `positional` without a default.
#[vix_ffi::export(prefix = "p_", default(sed = 0), positional(n))]
pub fn seeded(n: u64, seed: u64) -> vix_ffi::Result<u64> {
    Ok(n ^ seed)
}

/// A parameter without a default after a positional one with a default.
#[vix_ffi::export(prefix = "p_", default(a = 1), positional(a))]
pub fn pair(a: i32, b: i32) -> vix_ffi::Result<i32> {
    Ok(a + b)
}

/// A default that is not a literal.
const SEED: u32 = 7;
#[vix_ffi::export(prefix = "p_", default(seed = SEED))]
pub fn constant(seed: u32) -> vix_ffi::Result<u32> {
    Ok(seed)
}

fn main() {}
