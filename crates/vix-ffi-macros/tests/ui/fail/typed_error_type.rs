/// A typed function whose error type does not convert into `vix_ffi::Error`.
#[vix_ffi::export(prefix = "p_")]
pub fn parse(text: &str, base: u32) -> Result<u64, std::num::ParseIntError> {
    u64::from_str_radix(text, base)
}

fn main() {}
