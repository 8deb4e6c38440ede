/// No prefix: the symbol would be a bare `encode`.
#[vix_ffi::export]
pub fn encode(data: &[u8]) -> vix_ffi::Result<String> {
    Ok(String::from_utf8_lossy(data).into_owned())
}

#[vix_ffi::export(size = |d| Ok(d.len()))]
pub fn copy(data: &[u8], out: &mut vix_ffi::Output<'_>) -> vix_ffi::Result<()> {
    out.extend_from_slice(data)
}

fn main() {}
