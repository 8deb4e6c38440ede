#[vix_ffi::export(prefix = "p_")]
pub fn generic<T: AsRef<[u8]>>(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "p_")]
pub fn lifetime<'a>(data: &'a [u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

fn main() {}
