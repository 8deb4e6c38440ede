use vix_ffi::{Output, Result};

/// Writes into the caller's buffer but does not say how much it needs.
#[vix_ffi::export(prefix = "p_")]
pub fn unsized_writer(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

/// A size for a function that builds its own output.
#[vix_ffi::export(prefix = "p_", size = |d| Ok(d.len()))]
pub fn vec_with_size(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.to_vec())
}

/// A writer returns `Result<()>`: the bytes written are the output.
#[vix_ffi::export(prefix = "p_", size = |d| Ok(d.len()))]
pub fn returns_len(data: &[u8], out: &mut Output<'_>) -> Result<usize> {
    out.extend_from_slice(data)?;
    Ok(data.len())
}

fn by_length(n: usize) -> Result<usize> {
    Ok(n * 2)
}

/// `size` gets the input, not its length.
#[vix_ffi::export(prefix = "p_", size = by_length)]
pub fn double(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)?;
    out.extend_from_slice(data)
}

fn main() {}
