//! The `vix-ffi` command.
fn main() {}
