use vix_ffi::{Output, Result};

unsafe fn secret_size(n: usize) -> usize {
    n
}

/// The generated symbol's unsafe block must not lend itself to the `size` expression.
#[vix_ffi::export(prefix = "p_", size = |d| Ok(secret_size(d.len())))]
pub fn copy(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

fn main() {}
