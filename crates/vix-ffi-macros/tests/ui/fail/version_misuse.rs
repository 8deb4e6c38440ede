#[vix_ffi::export(prefix = "p_")]
pub const VERSION: u32 = 3;

#[vix_ffi::export(prefix = "q_", kind = "version")]
pub const OTHER_VERSION: &str = "1.0";

#[vix_ffi::export(prefix = "r_")]
pub static STATIC_VERSION: &str = "1.0";

fn main() {}
