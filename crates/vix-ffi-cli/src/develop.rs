//! `vix-ffi develop`: build the crate (or, with `--cmake DIR`, the CMake project) and
//! install its package, editable, into the active virtual environment, for the
//! edit-build-try loop.
//!
//! The package is generated into `<target>/vix-ffi/<lib>/develop/python/<package>/`, with
//! the library as a symbolic link to the file cargo (or CMake, in `DIR/target/cmake-debug`)
//! built (a copy on Windows); a `.pth` file in the environment puts that folder on
//! `sys.path`, and a dist-info marked editable (PEP 610) lets `pip list` show it and `pip
//! uninstall` remove it. So:
//! - after a change to a function's body, `vix-ffi develop` (or just `cargo build` with the
//!   same profile, `cmake --build` of the same folder) is all it takes: the link follows
//!   the new file;
//! - after a change to what is exported (a new function, a new signature), `vix-ffi
//!   develop` regenerates the package in place, with nothing to reinstall;
//! - a Python process that already imported the package keeps the old library: restart it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::build::{self, cargo, cmake, tools, Progress};

/// The installer run by the environment's Python.
const INSTALL_PY: &str = include_str!("develop_install.py");

/// Options of `vix-ffi develop`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The crate's folder, holding its Cargo.toml.
    #[arg(long = "crate", value_name = "DIR", default_value = ".")]
    krate: PathBuf,
    /// Develop the CMake project in DIR (a CMakeLists.txt using vix_ffi_add_library())
    /// instead of a Rust crate: built under DIR/target/cmake-debug (cmake-release with
    /// --release).
    #[arg(long, value_name = "DIR", conflicts_with = "krate")]
    cmake: Option<PathBuf>,
    /// With --cmake: the project's manifest [default: DIR/bindings.json].
    #[arg(long, value_name = "FILE", requires = "cmake")]
    spec: Option<PathBuf>,
    /// Build with optimisations (the release profile, CMake's Release) instead of debug.
    #[arg(long)]
    release: bool,
    /// The distribution name, as `build --dist` [default: vix-<package>].
    #[arg(long)]
    dist: Option<String>,
}

/// The active virtual environment's Python, or a message saying to activate one.
pub fn active_venv(virtual_env: Option<&std::ffi::OsStr>) -> Result<(PathBuf, PathBuf)> {
    let Some(venv) = virtual_env.filter(|v| !v.is_empty()) else {
        bail!(
            "no virtual environment is active ($VIRTUAL_ENV is not set), and develop installs \
             only into one: create and activate one (`python3 -m venv .venv && . \
             .venv/bin/activate`), then run it again"
        );
    };
    let venv = PathBuf::from(venv);
    let python = tools::venv_python(&venv);
    if !python.is_file() {
        bail!(
            "$VIRTUAL_ENV is {}, which has no {}: activate an existing virtual environment",
            venv.display(),
            python.display()
        );
    }
    Ok((venv, python))
}

/// What the first steps made, however the library was built.
struct Developed {
    built: build::Built,
    /// `<target>/vix-ffi/<library>`.
    work: PathBuf,
    /// The crate's or the CMake project's folder.
    project_dir: PathBuf,
    version: String,
    summary: String,
    /// The command that rebuilds the library in place.
    rebuild: String,
}

/// Runs `vix-ffi develop`.
pub fn run(args: Args) -> Result<()> {
    let (venv, python) = active_venv(std::env::var_os("VIRTUAL_ENV").as_deref())?;
    let mut progress = Progress::new(4);
    let developed = match &args.cmake {
        None => develop_crate(&args, &mut progress)?,
        Some(dir) => develop_cmake(&args, dir, &mut progress)?,
    };
    let Developed {
        built,
        work,
        project_dir,
        version: py_version,
        summary,
        rebuild,
    } = developed;
    let dev = work.join("develop");
    let python_dir = dev.join("python");
    let package_dir = python_dir.join(&built.python_package);
    progress.step(
        "gen-python",
        "the Python package, with a link to the library",
        || {
            build::run_self(&[
                "gen-python".as_ref(),
                "--spec".as_ref(),
                built.manifest_path.as_os_str(),
                "--out".as_ref(),
                dev.as_os_str(),
            ])?;
            let os = vix_ffi_gen::package::native::Os::host()
                .context("develop works on Linux, macOS and Windows")?;
            link_library(
                &built.library,
                &package_dir.join(os.library_file_name(&built.library_name)),
            )
        },
    )?;
    let dist = args
        .dist
        .clone()
        .unwrap_or_else(|| build::default_dist(&built.python_package));
    let pth = progress.step(
        "install",
        &format!("editable, into {}", venv.display()),
        || {
            let output = Command::new(&python)
                .args(["-c", INSTALL_PY])
                .args([
                    built.python_package.as_str(),
                    dist.as_str(),
                    py_version.as_str(),
                    summary.as_str(),
                ])
                .arg(&python_dir)
                .arg(&project_dir)
                .output()
                .with_context(|| format!("cannot run {}", python.display()))?;
            if !output.status.success() {
                bail!("{}", String::from_utf8_lossy(&output.stderr).trim_end());
            }
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        },
    )?;
    println!(
        "installed {dist} {py_version} (import {}) in {}, editable: {pth} points at {}",
        built.python_package,
        venv.display(),
        python_dir.display()
    );
    let again = match &args.cmake {
        None => "vix-ffi develop".to_owned(),
        Some(dir) => format!("vix-ffi develop --cmake {}", dir.display()),
    };
    println!(
        "the library is a link to {}: `{rebuild}` updates it; run `{again}{}` again after \
         changing what is exported; restart Python to see either",
        built.library.display(),
        if args.release { " --release" } else { "" },
    );
    Ok(())
}

/// The first steps for a Rust crate: cargo build and from-rust.
fn develop_crate(args: &Args, progress: &mut Progress) -> Result<Developed> {
    let crate_dir = build::absolute(&args.krate)?;
    let package = cargo::metadata(&crate_dir)?;
    let env_version = std::env::var(vix_ffi_gen::package::VERSION_ENV_VAR).ok();
    let py_version = build::python_version(None, env_version.as_deref(), &package.version)?;
    let described =
        build::compile_and_describe(progress, package, &cargo::Compiler::Cargo, args.release)?;
    let summary = described
        .package
        .description
        .as_deref()
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    Ok(Developed {
        work: described
            .package
            .target_dir
            .join("vix-ffi")
            .join(&described.library_name),
        project_dir: described.package.dir.clone(),
        version: py_version,
        summary,
        rebuild: format!(
            "cargo build{}",
            if args.release { " --release" } else { "" }
        ),
        built: build::Built {
            library: described.library,
            manifest_path: described.manifest_path,
            python_package: described.python_package,
            library_name: described.library_name,
        },
    })
}

/// The first steps for a CMake project: configure and build (Debug, or Release).
fn develop_cmake(args: &Args, dir: &Path, progress: &mut Progress) -> Result<Developed> {
    let source = build::absolute(dir)?;
    let mut project = cmake::Project::new(&source, args.spec.as_deref(), None)?;
    if !args.release {
        project = project.debug();
    }
    let (python_package, library_name) = build::read_manifest(&project.manifest)?;
    let cmake_exe = cmake::find_cmake()?;
    let (configured, library) =
        build::cmake_steps(progress, &project, &cmake_exe, None, &library_name)?;
    let version = build::cmake_version(None, &configured, &source)?;
    Ok(Developed {
        work: project.target_dir.join("vix-ffi").join(&library_name),
        project_dir: source,
        version,
        summary: configured.description.clone(),
        rebuild: format!(
            "cmake --build {} --target {}",
            project.build_dir.display(),
            configured.target
        ),
        built: build::Built {
            library,
            manifest_path: project.manifest.clone(),
            python_package,
            library_name,
        },
    })
}

/// Puts a link to `library` at `dest` (a copy where links need privileges).
fn link_library(library: &Path, dest: &Path) -> Result<()> {
    if dest.symlink_metadata().is_ok() {
        std::fs::remove_file(dest).with_context(|| format!("cannot replace {}", dest.display()))?;
    }
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(library, dest);
    #[cfg(not(unix))]
    let made = std::fs::copy(library, dest).map(drop);
    made.with_context(|| format!("cannot link {} to {}", dest.display(), library.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn develop_needs_an_active_virtual_environment() {
        let err = active_venv(None).unwrap_err().to_string();
        assert!(err.contains("no virtual environment is active"), "{err}");
        assert!(active_venv(Some("".as_ref())).is_err());
        let tmp = tempfile::tempdir().unwrap();
        let err = active_venv(Some(tmp.path().as_os_str()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no"), "{err}");
        let python = tools::venv_python(tmp.path());
        std::fs::create_dir_all(python.parent().unwrap()).unwrap();
        std::fs::write(&python, "").unwrap();
        assert_eq!(
            active_venv(Some(tmp.path().as_os_str())).unwrap(),
            (tmp.path().to_path_buf(), python)
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_library_link_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, dest) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("lib"),
        );
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        link_library(&a, &dest).unwrap();
        link_library(&b, &dest).unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "b");
        assert_eq!(std::fs::read_link(&dest).unwrap(), b);
    }
}
