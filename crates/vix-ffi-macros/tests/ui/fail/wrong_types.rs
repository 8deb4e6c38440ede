#[vix_ffi::export(prefix = "p_")]
pub fn signed(data: &[i8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.iter().map(|&b| b as u8).collect())
}

#[vix_ffi::export(prefix = "p_")]
pub fn owned(data: Vec<u8>) -> vix_ffi::Result<Vec<u8>> {
    Ok(data)
}

#[vix_ffi::export(prefix = "p_")]
pub fn words(data: &[u8]) -> vix_ffi::Result<Vec<u32>> {
    Ok(data.iter().map(|&b| b.into()).collect())
}

#[vix_ffi::export(prefix = "p_")]
pub fn borrowed(_data: &str) -> vix_ffi::Result<&str> {
    Ok("static")
}

fn main() {}
