//! Compile-time behaviour of `#[vix_ffi::export]`: misuse is an error pointing at the
//! offending part of the item (`ui/fail/*.rs`, expected output beside each file), and the
//! accepted forms compile, under `#![forbid(unsafe_code)]` (`ui/pass/*.rs`).
//!
//! The expected `.stderr` files are rustc's exact output: regenerate them with
//! `TRYBUILD=overwrite cargo test -p vix-ffi-macros --test ui` after a deliberate change
//! (or a new compiler), and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
