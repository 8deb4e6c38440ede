//! The guide (`docs/guide`), tested.
//!
//! Each chapter of the book is the documentation of one module below, and the README
//! the crate's, so `cargo test -p vix-ffi-guide --doc` compiles and runs every Rust code
//! block of the guide against the real `vix-ffi` crate and its `#[vix_ffi::export]`
//! attribute, which `mdbook test` cannot link. Lines starting with `# ` are hidden in
//! the book and run here: they call what a block exports, as a Rust or a C caller
//! would. `tests/links.rs` checks that every relative link of the README and the guide
//! resolves, and `tests/chapters.rs` that every chapter of `SUMMARY.md` is a module
//! here.
//!
//! [`c`] holds the small C-caller helpers the hidden lines use.
#![doc = include_str!("../../../../README.md")]
// The chapters are Markdown for mdBook and GitHub, not rustdoc: their links are paths
// between files, and their text mentions C types in angle brackets.
#![allow(rustdoc::all)]

pub mod c;

macro_rules! chapters {
    ($($module:ident => $file:literal,)*) => {
        $(
            #[doc = include_str!(concat!("../../src/", $file))]
            pub mod $module {}
        )*

        /// The chapter files documented here, as `SUMMARY.md` names them.
        pub const CHAPTERS: &[&str] = &[$($file),*];
    };
}

chapters! {
    introduction => "introduction.md",
    rust_authors => "rust-authors.md",
    c_cpp_authors => "c-cpp-authors.md",
    manifest => "manifest.md",
    typed_signatures => "typed-signatures.md",
    objects => "objects.md",
    python_package => "python-package.md",
    wheels => "wheels.md",
    new_and_cmake => "new-and-cmake.md",
    checker => "checker.md",
    abi => "abi.md",
    examples => "examples.md",
    performance => "performance.md",
    development => "development.md",
}
