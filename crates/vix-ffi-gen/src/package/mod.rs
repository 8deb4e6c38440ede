//! `vix-ffi gen-package`: a PEP 621 project around a generated package, which `pip wheel`
//! and `python -m build` turn into an installable, publishable wheel.
//!
//! The project is
//!
//! ```text
//! OUT/pyproject.toml          hatchling backend, PEP 621 metadata
//! OUT/README.md               install, use, and where the library is loaded from
//! OUT/hatch_build.py          only with --copy-lib: the platform tag of the library
//! OUT/src/<package>/...       the gen-python package, plus the library with --copy-lib
//! ```
//!
//! Work happens in three steps, so that bad input never leaves anything behind:
//! [`plan`] checks every option and reads every input into memory (all problems are
//! reported at once), [`render`] builds every file in memory, and [`write()`] writes them
//! into a temporary folder beside `--out` and renames it into place, replacing a project
//! it generated there before and saying what changed.
//!
//! The build backend is hatchling: maintained by the PyPA, configured from
//! `pyproject.toml` alone, and its build hooks may set the wheel's tag, which a wheel
//! carrying a native library needs (hatchling alone would tag it `py3-none-any`). The
//! hook is a dozen lines (`templates/hatch_build.py.j2`) holding two string constants
//! computed here. setuptools would need a `setup.py` overriding `bdist_wheel`, and warns
//! about several of its own defaults.

pub mod dist;
mod ext;
pub mod native;
mod render;
pub mod source;
pub mod version;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

pub use render::render;
pub use write::{write, WriteReport};

use crate::names;
use native::{NativeLibrary, Os};

/// The version `--version` defaults to when `VIX_PY_VERSION` is not set.
pub const DEFAULT_VERSION: &str = "0.1.0";

/// The environment variable `--version` defaults to.
pub const VERSION_ENV_VAR: &str = "VIX_PY_VERSION";

/// Where the version came from, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSource {
    /// `--version`.
    Option,
    /// The `VIX_PY_VERSION` environment variable.
    Env,
    /// [`DEFAULT_VERSION`].
    Default,
}

/// The options of `vix-ffi gen-package`, as given.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--package`: the import name.
    pub package: String,
    /// `--src`: where `gen-python` wrote the package.
    pub src: PathBuf,
    /// `--out`: the project folder to write.
    pub out: PathBuf,
    /// `--dist`: the distribution name (default `vix-<package>`, normalised).
    pub dist: Option<String>,
    /// `--lib`: the library's base name (default: the package name).
    pub lib: Option<String>,
    /// `--description`: the one-line summary.
    pub description: Option<String>,
    /// The version and where it came from.
    pub version: (String, VersionSource),
    /// `--copy-lib`: the shared library to bundle.
    pub copy_lib: Option<PathBuf>,
    /// What to build the compiled backend for: `--python` (an interpreter, default
    /// `python3`), or `None` for `--no-compile` (a pure ctypes wheel).
    pub compile_for: Option<String>,
}

/// One refused option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    /// `--dist`, `--version`, … (or `VIX_PY_VERSION`).
    pub option: String,
    /// What is wrong and what would do.
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.option, self.message)
    }
}

/// A validated project, with every input read into memory.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The import name.
    pub package: String,
    /// The distribution name as given (or the default).
    pub dist: String,
    /// The normalised version.
    pub version: String,
    /// The summary line.
    pub description: String,
    /// The library's base name.
    pub lib: String,
    /// The project folder.
    pub out: PathBuf,
    /// The generated package.
    pub source: source::SourcePackage,
    /// The library to bundle: its bytes, its file name inside the package, what it is.
    pub native: Option<Bundled>,
    /// The compiled backend (`_vix_ext<suffix>`), built from the package's `_vix_ext.c`
    /// when a C compiler is there; `None`: the wheel runs on ctypes alone.
    pub extension: Option<Bundled>,
    /// The operating system the package is for.
    pub os: Os,
    /// Things worth saying that are not errors (a normalised version, a non-publishable
    /// tag).
    pub notes: Vec<String>,
}

/// The library a wheel bundles.
#[derive(Clone, Debug)]
pub struct Bundled {
    /// `libbase64_ffi.so`: the name the loader looks for.
    pub file_name: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// What it is and its tag.
    pub library: NativeLibrary,
}

impl Plan {
    /// The wheel's full tag: `py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64`, or
    /// `py3-none-any` without a bundled library or extension. A wheel holding the
    /// compiled backend is still `py3-none`: on a Python the extension was not built
    /// for, the package runs on ctypes.
    pub fn wheel_tag(&self) -> String {
        match self.binary() {
            Some(b) => format!("py3-none-{}", b.library.platform_tag),
            None => "py3-none-any".to_owned(),
        }
    }

    /// The bundled binary whose platform tag the wheel takes: the one that needs the
    /// newer glibc when both the library and the extension are there.
    pub fn binary(&self) -> Option<&Bundled> {
        match (&self.native, &self.extension) {
            (Some(lib), Some(ext)) => Some(
                if ext::glibc_minor(&ext.library.platform_tag)
                    > ext::glibc_minor(&lib.library.platform_tag)
                {
                    ext
                } else {
                    lib
                },
            ),
            (lib, ext) => lib.as_ref().or(ext.as_ref()),
        }
    }

    /// The wheel's file name as installers expect it (PEP 427 escaping of the name).
    pub fn wheel_file_name(&self) -> String {
        format!(
            "{}-{}-{}.whl",
            dist::normalize_dist_name(&self.dist).replace('-', "_"),
            self.version,
            self.wheel_tag()
        )
    }
}

/// Checks every option and reads every input. Returns every problem found, or a plan.
pub fn plan(opts: &Options) -> Result<Plan, Vec<OptionError>> {
    let mut errors = Vec::new();
    let mut fail = |option: &str, message: String| {
        errors.push(OptionError {
            option: option.to_owned(),
            message,
        })
    };
    let mut notes = Vec::new();

    let package_ok = match names::check_package_name(&opts.package) {
        Ok(()) => true,
        Err(err) => {
            fail("--package", err.to_string());
            false
        }
    };

    let dist = opts
        .dist
        .clone()
        .unwrap_or_else(|| dist::normalize_dist_name(&format!("vix-{}", opts.package)));
    let dist_checked = opts.dist.is_some() || package_ok;
    if let (true, Err(err)) = (dist_checked, dist::check_dist_name(&dist)) {
        fail(
            if opts.dist.is_some() {
                "--dist"
            } else {
                "--package"
            },
            err.to_string(),
        );
    }

    let (raw_version, version_source) = &opts.version;
    let version = match version::normalize_version(raw_version) {
        Ok(v) => {
            if v != *raw_version {
                notes.push(format!("version {raw_version:?} is written as {v:?}"));
            }
            v
        }
        Err(err) => {
            let option = match version_source {
                VersionSource::Option => "--version",
                VersionSource::Env => VERSION_ENV_VAR,
                VersionSource::Default => "default version",
            };
            fail(option, err.to_string());
            String::new()
        }
    };

    let lib = opts.lib.clone().unwrap_or_else(|| opts.package.clone());
    let lib_ok = match names::check_c_identifier(&lib) {
        Ok(()) => true,
        Err(_) if opts.lib.is_none() => false,
        Err(err) => {
            fail("--lib", err.to_string());
            false
        }
    };

    let description = match &opts.description {
        Some(d) => {
            if let Some(problem) = description_problem(d) {
                fail("--description", problem);
            }
            d.trim().to_owned()
        }
        None => format!("Python bindings for the native library {lib}, generated by vix-ffi"),
    };

    let os = Os::host();
    if os.is_none() && opts.copy_lib.is_some() {
        fail(
            "--copy-lib",
            "bundling a library is supported on Linux, macOS and Windows only".to_owned(),
        );
    }

    let source = if package_ok {
        match source::read(&opts.src, &opts.package) {
            Ok(s) => Some(s),
            Err(message) => {
                fail("--src", message);
                None
            }
        }
    } else {
        None
    };
    if let (Some(src), true) = (&source, lib_ok) {
        if src.library_name != lib {
            let option = if opts.lib.is_some() {
                "--lib"
            } else {
                "--lib (default: the package name)"
            };
            fail(
                option,
                format!(
                    "the generated {} loads the library {:?} (its LIBRARY_NAME), not {lib:?}: \
                     pass --lib {}",
                    src.dir.join("_native.py").display(),
                    src.library_name,
                    src.library_name
                ),
            );
        }
    }

    let native = match (&opts.copy_lib, os) {
        (Some(path), Some(os)) => match native::inspect_file(path, os) {
            Ok(library) => {
                notes.extend(library.warnings.iter().cloned());
                std::fs::read(path)
                    .map(|bytes| Bundled {
                        file_name: os.library_file_name(&lib),
                        bytes,
                        library,
                    })
                    .map_err(|e| fail("--copy-lib", format!("{}: {e}", path.display())))
                    .ok()
            }
            Err(err) => {
                fail("--copy-lib", format!("{}: {err}", path.display()));
                None
            }
        },
        _ => None,
    };

    if let Some(src) = &source {
        if let Err(message) = check_out(&opts.out, &src.dir) {
            fail("--out", message);
        }
    } else if let Err(message) = check_out(&opts.out, Path::new("")) {
        fail("--out", message);
    }

    let extension = match (&source, os, &opts.compile_for) {
        (Some(src), Some(os), Some(python)) if errors.is_empty() => {
            ext::build(src, os, python, &mut notes)
        }
        (Some(src), _, None) if src.files.iter().any(|(n, _)| n == ext::C_FILE) => {
            notes.push(
                "--no-compile: the wheel has no compiled backend and runs on ctypes".to_owned(),
            );
            None
        }
        _ => None,
    };

    match (errors.is_empty(), source) {
        (true, Some(source)) => Ok(Plan {
            package: opts.package.clone(),
            dist,
            version,
            description,
            lib,
            out: opts.out.clone(),
            source,
            native,
            extension,
            os: os.unwrap_or(Os::Linux),
            notes,
        }),
        _ => Err(errors),
    }
}

/// Why a description cannot be the one-line summary of core metadata, if it cannot.
fn description_problem(d: &str) -> Option<String> {
    if d.trim().is_empty() {
        return Some("the description is empty".to_owned());
    }
    if let Some(c) = d.trim().chars().find(|c| c.is_control()) {
        return Some(format!(
            "{d:?} holds the control character {c:?}: the description is the one-line \
             summary of the package (put longer text in the README)"
        ));
    }
    if d.chars().count() > 512 {
        return Some(format!(
            "the description has {} characters; package indexes take at most 512",
            d.chars().count()
        ));
    }
    None
}

/// Checks that writing `out` cannot destroy the source package or a folder that is not a
/// project generated by us. (`write` checks the last point again right before replacing.)
fn check_out(out: &Path, source_dir: &Path) -> Result<(), String> {
    if out.as_os_str().is_empty() {
        return Err("the output folder is empty".to_owned());
    }
    if out.exists() && !out.is_dir() {
        return Err(format!("{} exists and is not a folder", out.display()));
    }
    if !source_dir.as_os_str().is_empty() {
        let (out_abs, src_abs) = (absolute(out), absolute(source_dir));
        if src_abs.starts_with(&out_abs) {
            return Err(format!(
                "{} holds the source package {}: replacing it would delete the input",
                out.display(),
                source_dir.display()
            ));
        }
        if out_abs.starts_with(&src_abs) {
            return Err(format!(
                "{} lies inside the source package {}",
                out.display(),
                source_dir.display()
            ));
        }
    }
    write::check_replaceable(out).map(|_| ())
}

/// `path` made absolute, with its existing part resolved (symbolic links, `..`).
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return path,
        }
    }
}

#[cfg(test)]
mod tests;
