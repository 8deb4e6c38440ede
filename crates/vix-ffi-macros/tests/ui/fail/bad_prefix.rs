#[vix_ffi::export(prefix = "base64")]
pub fn encode(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "my-lib_")]
pub fn decode(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "p_", prefix = "q_")]
pub fn twice(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

#[vix_ffi::export(prefix = "p_", colour = "blue")]
pub fn unknown(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

fn main() {}
