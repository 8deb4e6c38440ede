/// An error type that does not convert into `vix_ffi::Error`.
#[vix_ffi::export(prefix = "p_")]
pub fn read(data: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    Ok(data.to_vec())
}

fn main() {}
