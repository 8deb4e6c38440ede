use vix_ffi::Result;

#[vix_ffi::export(prefix = "p_", kind = "bytes_to_text")]
pub fn unknown(data: &[u8]) -> Result<String> {
    Ok(String::from_utf8_lossy(data).into_owned())
}

/// A `&str` function cannot accept arbitrary bytes from Python.
#[vix_ffi::export(prefix = "p_", kind = "bytes_to_str")]
pub fn text_in(text: &str) -> Result<String> {
    Ok(text.to_owned())
}

/// `Vec<u8>` is not known to be UTF-8.
#[vix_ffi::export(prefix = "p_", kind = "bytes_to_str")]
pub fn bytes_out(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.to_vec())
}

fn main() {}
