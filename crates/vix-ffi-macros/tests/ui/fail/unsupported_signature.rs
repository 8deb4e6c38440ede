#[vix_ffi::export(prefix = "p_")]
pub fn none() -> vix_ffi::Result<Vec<u8>> {
    Ok(Vec::new())
}

#[vix_ffi::export(prefix = "p_")]
pub fn two(a: &[u8], b: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok([a, b].concat())
}

#[vix_ffi::export(prefix = "p_")]
pub unsafe fn dangerous(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "p_")]
pub extern "C" fn already_c(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "p_")]
pub struct NotAFunction;

fn main() {}
