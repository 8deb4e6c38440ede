//! Misuse of `#[derive(vix_ffi::LibraryError)]`.

#[derive(Debug, vix_ffi::LibraryError)]
pub enum Reserved {
    #[vix(code = 2)]
    Invalid,
}

#[derive(Debug, vix_ffi::LibraryError)]
pub enum Missing {
    #[vix(code = 1000)]
    First,
    Second,
}

#[derive(Debug, vix_ffi::LibraryError)]
pub enum Clashing {
    #[vix(code = 1000, base = "Exception")]
    First,
    #[vix(code = 1000)]
    Second,
    #[vix(code = 1001)]
    Value,
}

#[derive(Debug, vix_ffi::LibraryError)]
pub struct NotAnEnum;

/// Derives the conversion but has no `Display` for the message.
#[derive(Debug, vix_ffi::LibraryError)]
pub enum Silent {
    #[vix(code = 1000)]
    Quiet,
}

fn main() {}
