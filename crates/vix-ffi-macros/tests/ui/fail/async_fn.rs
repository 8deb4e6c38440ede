#[vix_ffi::export(prefix = "p_")]
pub async fn later(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
    Ok(data.to_vec())
}

fn main() {}
