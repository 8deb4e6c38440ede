//! Every typed form compiles in a crate that forbids unsafe code.
#![forbid(unsafe_code)]

use vix_ffi::{Output, Result};

#[derive(Debug, vix_ffi::LibraryError)]
pub enum DemoError {
    /// `lo` is greater than `hi`.
    #[vix(code = 1000, base = "ValueError")]
    Range { lo: f64, hi: f64 },
    #[vix(code = 1001)]
    TooLong(usize),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[vix_ffi::export(prefix = "p_", default(seed = 0))]
pub fn crc32(data: &[u8], seed: u32) -> Result<u32> {
    Ok(data.iter().fold(seed, |c, &b| c.rotate_left(5) ^ u32::from(b)))
}

#[vix_ffi::export(prefix = "p_")]
pub fn repeat(text: &str, times: u32) -> Result<String, DemoError> {
    if times > 100 {
        return Err(DemoError::TooLong(times as usize));
    }
    Ok(text.repeat(times as usize))
}

#[vix_ffi::export(prefix = "p_")]
pub fn clamp(x: f64, lo: f64, hi: f64) -> Result<f64, DemoError> {
    if lo > hi {
        return Err(DemoError::Range { lo, hi });
    }
    Ok(x.clamp(lo, hi))
}

#[vix_ffi::export(prefix = "p_")]
pub fn is_prime(n: u64) -> Result<bool> {
    Ok(n > 1 && (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0))
}

#[vix_ffi::export(prefix = "p_")]
pub fn concat(a: &[u8], b: &[u8]) -> Result<Vec<u8>> {
    Ok([a, b].concat())
}

#[vix_ffi::export(prefix = "p_")]
pub fn reset() -> Result<()> {
    Ok(())
}

#[vix_ffi::export(
    prefix = "p_",
    default(name = "anon", level = 3, scale = 1.0, loud = false),
    positional_only(name),
    positional(level)
)]
pub fn describe(name: &str, level: i32, scale: f64, loud: bool) -> Result<String> {
    Ok(format!("{name} {level} {scale} {loud}"))
}

#[vix_ffi::export(prefix = "p_")]
pub fn mix(a: i64, b: usize) -> Result<i64> {
    Ok(a + b as i64)
}

#[vix_ffi::export(prefix = "p_", output_blocks = (1, 2), ascii, default(upper = false))]
pub fn hexlify(data: &[u8], upper: bool, out: &mut Output<'_>) -> Result<()> {
    for b in data {
        let text = if upper { format!("{b:02X}") } else { format!("{b:02x}") };
        out.push_str(&text)?;
    }
    Ok(())
}

fn main() {}
