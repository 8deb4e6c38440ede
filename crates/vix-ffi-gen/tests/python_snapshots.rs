//! Snapshots of the generated files (`_native.py`, `api.py`, `__init__.py`, `py.typed`,
//! `_vix_base.py`, and the package's part of `_vix_ext.c`) for the example manifest, a manifest using all five api kinds, and a
//! manifest made to break a careless generator (docs and search paths full of quotes,
//! backslashes and control characters; every C type; both exports).
//!
//! Review a changed snapshot as code: `INSTA_UPDATE=always cargo test -p vix-ffi-gen
//! --test python_snapshots` rewrites them, `git diff` shows what changed. The generated
//! code itself is run, type-checked and linted by `tests/python/generator/`.

use std::path::Path;

use vix_ffi_gen::manifest;
use vix_ffi_gen::python::{self, GENERATOR_VERSION};

fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn snapshot(name: &str, text: &str) {
    let manifest = manifest::parse(text).unwrap_or_else(|d| panic!("{name}: {d}"));
    let package = python::generate(&manifest, "bindings.json").unwrap();
    let versioned = format!("vix-ffi {GENERATOR_VERSION} from");
    for file in &package.files {
        // The version changes with every release; the snapshots should not.
        let mut contents = file
            .contents
            .replacen(&versioned, "vix-ffi [VERSION] from", 1);
        // The compiled backend's C file: only its part of this package (the run-time
        // code before it is the same in every package).
        if file.name == python::ext::C_FILE {
            let start = contents
                .find("/* ---- the functions of this package")
                .unwrap();
            let end = contents
                .find("/* The module part of the compiled backend")
                .unwrap();
            contents = contents[start..end].to_owned();
        }
        insta::assert_snapshot!(format!("{name}__{}", file.name), contents);
    }
}

#[test]
fn example_base64_ffi() {
    snapshot(
        "base64_ffi",
        &repo_file("examples/base64_ffi/bindings.json"),
    );
}

#[test]
fn five_kinds_textlib() {
    snapshot(
        "textlib",
        &repo_file("tests/fixtures/c_textlib/bindings.json"),
    );
}

#[test]
fn hostile_free_text() {
    // Shared with tests/python/generator/, which runs the package generated from it.
    snapshot("hostile", &repo_file("tests/python/generator/hostile.json"));
}

#[test]
fn classes_objlib() {
    // Classes on both backends: the Python classes in api.py, their tables in _vix_ext.c.
    snapshot(
        "objlib",
        &repo_file("tests/fixtures/c_objects/bindings.json"),
    );
}
