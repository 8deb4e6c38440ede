//! Helpers shared by the integration tests that drive a C or C++ compiler over the
//! shipped headers.
//!
//! The compilers are `gcc` and `g++` unless `VIX_TEST_CC` / `VIX_TEST_CXX` name others
//! (anything that takes GCC-style flags, such as `clang`). A missing compiler fails the
//! test: the headers are the contract, so their checks must not be skipped silently.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// `include/`, the folder that holds `vix/ffi/*.h`.
pub fn include_dir() -> PathBuf {
    repo_root().join("include")
}

/// `examples/base64_ffi/include/`, the folder that holds `base64/base64_ffi.h`.
pub fn example_include_dir() -> PathBuf {
    repo_root()
        .join("examples")
        .join("base64_ffi")
        .join("include")
}

/// `examples/base64_ffi_cpp/include/`, the folder that holds `base64_ffi_cpp.h`.
pub fn cpp_example_include_dir() -> PathBuf {
    repo_root()
        .join("examples")
        .join("base64_ffi_cpp")
        .join("include")
}

/// Warnings that every shipped header must pass, in both languages.
const COMMON_WARNINGS: &[&str] = &[
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wshadow",
    "-Wundef",
];

/// Extra warnings that only make sense for C.
const C_ONLY_WARNINGS: &[&str] = &["-Wstrict-prototypes", "-Wmissing-prototypes"];

/// Extra warnings that only make sense for C++: a C++ user building with these must not
/// be broken by our `static inline` helper.
const CXX_ONLY_WARNINGS: &[&str] = &["-Wold-style-cast", "-Wzero-as-null-pointer-constant"];

/// A language standard to compile a translation unit as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Std {
    C99,
    C11,
    Cxx11,
    Cxx17,
}

impl Std {
    /// The standards the headers are required to support (ABI contract) and the older
    /// ones we keep them clean for.
    pub const ALL: [Std; 4] = [Std::C11, Std::Cxx17, Std::C99, Std::Cxx11];

    pub fn is_cxx(self) -> bool {
        matches!(self, Std::Cxx11 | Std::Cxx17)
    }

    pub fn flag(self) -> &'static str {
        match self {
            Std::C99 => "-std=c99",
            Std::C11 => "-std=c11",
            Std::Cxx11 => "-std=c++11",
            Std::Cxx17 => "-std=c++17",
        }
    }

    pub fn extension(self) -> &'static str {
        if self.is_cxx() {
            "cpp"
        } else {
            "c"
        }
    }

    pub fn compiler(self) -> String {
        let (var, default) = if self.is_cxx() {
            ("VIX_TEST_CXX", "g++")
        } else {
            ("VIX_TEST_CC", "gcc")
        };
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    }

    /// The strict warning set for this language.
    pub fn warnings(self) -> Vec<&'static str> {
        let extra = if self.is_cxx() {
            CXX_ONLY_WARNINGS
        } else {
            C_ONLY_WARNINGS
        };
        COMMON_WARNINGS.iter().chain(extra).copied().collect()
    }
}

/// Runs a command and returns its output, or a readable report of how it failed
/// (including when the program could not be started at all).
pub fn run(cmd: &mut Command) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    match cmd.output() {
        Err(err) => Err(format!("could not run {shown}: {err}")),
        Ok(out) if !out.status.success() => Err(format!(
            "{shown} failed with {}\n--- stdout\n{}--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
        Ok(out) => Ok(out),
    }
}

/// Writes `source` to `dir/<stem>.<ext>` and compiles it with the strict warnings and the
/// shipped include folders, adding `extra` arguments (e.g. `-c`, `-o`, `-shared`).
/// Returns the source path, or the compiler's full report.
pub fn compile(
    std: Std,
    dir: &Path,
    stem: &str,
    source: &str,
    extra: &[&str],
) -> Result<PathBuf, String> {
    let src = dir.join(format!("{stem}.{}", std.extension()));
    std::fs::write(&src, source).map_err(|e| format!("writing {}: {e}", src.display()))?;
    let mut cmd = Command::new(std.compiler());
    cmd.arg(std.flag())
        .args(std.warnings())
        .arg("-I")
        .arg(include_dir())
        .arg("-I")
        .arg(example_include_dir())
        .arg("-I")
        .arg(cpp_example_include_dir())
        .args(extra)
        .arg(&src)
        .current_dir(dir);
    run(&mut cmd)
        .map(|_| src)
        .map_err(|report| format!("[{}]\n{report}\n--- source\n{source}", std.flag()))
}

/// Compiles `source` into an executable in `dir`, runs it, and returns its stdout.
pub fn compile_and_run(std: Std, dir: &Path, stem: &str, source: &str) -> String {
    let exe = dir.join(format!("{stem}-{}", std.extension()));
    let exe_arg = exe.to_string_lossy().into_owned();
    if let Err(report) = compile(std, dir, stem, source, &["-o", &exe_arg]) {
        panic!("{report}");
    }
    let out = run(&mut Command::new(&exe)).unwrap_or_else(|report| panic!("{report}"));
    String::from_utf8(out.stdout).expect("the probe prints ASCII")
}

/// A fresh temporary folder, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("vix-ffi-c-")
        .tempdir()
        .expect("creating a temporary folder")
}
