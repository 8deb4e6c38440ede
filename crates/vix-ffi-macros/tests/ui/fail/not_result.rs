#[vix_ffi::export(prefix = "p_")]
pub fn plain(data: &[u8]) -> Vec<u8> {
    data.to_vec()
}

#[vix_ffi::export(prefix = "p_")]
pub fn nothing(data: &[u8]) {
    let _ = data;
}

#[vix_ffi::export(prefix = "p_")]
pub fn option(data: &[u8]) -> Option<String> {
    String::from_utf8(data.to_vec()).ok()
}

fn main() {}
