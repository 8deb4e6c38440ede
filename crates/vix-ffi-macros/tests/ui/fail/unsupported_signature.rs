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
