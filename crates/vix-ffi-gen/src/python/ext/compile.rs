//! Building `_vix_ext.c` into the extension module of one Python, with the machine's C
//! compiler (`$CC`, else `cc`).
//!
//! The module is built against the full C API of that Python (not the stable ABI: see
//! ARCHITECTURE.md, "the compiled backend"), so its file name carries that Python's
//! suffix (`_vix_ext.cpython-311-x86_64-linux-gnu.so`); any other Python does not find
//! it and the package runs on ctypes there.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{C_FILE, MODULE};

/// Why the extension could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The package folder has no `_vix_ext.c` (its api has a shape the compiled
    /// backend does not implement).
    #[error("{0} has no {C_FILE}: this package has no compiled backend")]
    NoSource(PathBuf),
    /// No C compiler could be run.
    #[error("no C compiler: cannot run {cc:?} ({reason}); set CC to one")]
    NoCompiler {
        /// The command tried.
        cc: String,
        /// Why it could not be run.
        reason: String,
    },
    /// The Python could not be asked for its headers and suffix, or is not CPython.
    #[error("cannot use the Python {python:?}: {reason}")]
    Python {
        /// The interpreter given.
        python: String,
        /// What went wrong.
        reason: String,
    },
    /// The compiler failed.
    #[error("{cc} failed to compile {}:\n{output}", source_file.display())]
    Failed {
        /// The compiler.
        cc: String,
        /// The C file.
        source_file: PathBuf,
        /// What it printed.
        output: String,
    },
}

/// What the build needs to know about the target Python.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonTarget {
    /// Its `Python.h` folder.
    pub include: PathBuf,
    /// `EXT_SUFFIX`, e.g. `.cpython-311-x86_64-linux-gnu.so`.
    pub suffix: String,
    /// `3.11`.
    pub version: String,
}

/// Asks `python` where its headers are and what suffix its extension modules take.
pub fn python_target(python: &str) -> Result<PythonTarget, CompileError> {
    let fail = |reason: String| CompileError::Python {
        python: python.to_owned(),
        reason,
    };
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, sysconfig\n\
             print(sys.implementation.name)\n\
             print(sysconfig.get_paths()['include'])\n\
             print(sysconfig.get_config_var('EXT_SUFFIX'))\n\
             print('%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let [implementation, include, suffix, version] = lines.as_slice() else {
        return Err(fail(format!("unexpected answer {text:?}")));
    };
    if *implementation != "cpython" {
        return Err(fail(format!(
            "it is {implementation}, and the compiled backend is built for CPython"
        )));
    }
    let include = PathBuf::from(include);
    if !include.join("Python.h").is_file() {
        return Err(fail(format!(
            "{} has no Python.h (install the Python development headers)",
            include.display()
        )));
    }
    Ok(PythonTarget {
        include,
        suffix: (*suffix).to_owned(),
        version: (*version).to_owned(),
    })
}

/// The C compiler: `$CC`, else `cc`.
pub fn compiler() -> String {
    std::env::var("CC")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "cc".to_owned())
}

/// Builds `package_dir/_vix_ext.c` into `package_dir/_vix_ext<suffix>` for `python`;
/// returns the module's path.
pub fn compile(package_dir: &Path, python: &str) -> Result<PathBuf, CompileError> {
    let source_file = package_dir.join(C_FILE);
    if !source_file.is_file() {
        return Err(CompileError::NoSource(package_dir.to_path_buf()));
    }
    let target = python_target(python)?;
    let cc = compiler();
    let output_file = package_dir.join(format!("{MODULE}{}", target.suffix));
    let mut words = cc.split_whitespace();
    let program = words.next().unwrap_or("cc").to_owned();
    let mut command = Command::new(&program);
    command.args(words);
    // -O3, as CPython builds its own extensions. The ASCII check of str outputs picks
    // its AVX2 or AVX-512BW kernel at load time (target attributes), not from flags here.
    command.args(["-O3", "-std=c11", "-Wall", "-Wextra", "-fvisibility=hidden"]);
    if cfg!(target_os = "macos") {
        command.args(["-bundle", "-undefined", "dynamic_lookup"]);
    } else {
        command.args(["-shared", "-fPIC"]);
    }
    command.arg("-I").arg(&target.include);
    command.arg("-o").arg(&output_file).arg(&source_file);
    let out = command.output().map_err(|e| CompileError::NoCompiler {
        cc: cc.clone(),
        reason: e.to_string(),
    })?;
    if !out.status.success() {
        let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        return Err(CompileError::Failed {
            cc,
            source_file,
            output,
        });
    }
    Ok(output_file)
}
