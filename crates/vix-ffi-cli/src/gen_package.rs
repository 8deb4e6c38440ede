//! `vix-ffi gen-package`: a PEP 621 project (pyproject.toml, README, package under
//! `src/`) around a package written by `gen-python`, optionally bundling the native
//! library so that the wheel is a platform wheel.

use std::path::PathBuf;

use anyhow::{bail, Result};
use vix_ffi_gen::package::{self, Options, VersionSource};

/// Options of `vix-ffi gen-package`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The Python package (import) name, as in the manifest's `python.package`.
    #[arg(long)]
    package: String,
    /// The folder `gen-python --out` wrote (holding `python/<package>/_native.py`).
    #[arg(long)]
    src: PathBuf,
    /// The project folder to write; a project generated there before is replaced.
    #[arg(long)]
    out: PathBuf,
    /// The distribution name, what `pip install` takes [default: vix-<package>].
    #[arg(long)]
    dist: Option<String>,
    /// The library's base name, as in the manifest's `library.name` [default: the
    /// package name].
    #[arg(long)]
    lib: Option<String>,
    /// The one-line summary of the package.
    #[arg(long)]
    description: Option<String>,
    /// The PEP 440 version [default: $VIX_PY_VERSION, else 0.1.0].
    #[arg(long)]
    version: Option<String>,
    /// A shared library to bundle next to `_native.py`; the wheel gets its platform tag
    /// (manylinux on Linux).
    #[arg(long, value_name = "PATH")]
    copy_lib: Option<PathBuf>,
    /// The Python to build the compiled backend for (its headers and file suffix); the
    /// C compiler is $CC, else cc. Without one, the wheel runs on ctypes and says so.
    #[arg(long, value_name = "PYTHON", default_value = "python3")]
    python: String,
    /// Leave the compiled backend out: a pure ctypes wheel.
    #[arg(long)]
    no_compile: bool,
}

/// Runs the command: validate everything, render in memory, write atomically.
pub fn run(args: Args) -> Result<()> {
    let version = match (args.version, std::env::var(package::VERSION_ENV_VAR)) {
        (Some(v), _) => (v, VersionSource::Option),
        (None, Ok(v)) if !v.is_empty() => (v, VersionSource::Env),
        _ => (package::DEFAULT_VERSION.to_owned(), VersionSource::Default),
    };
    let opts = Options {
        package: args.package,
        src: args.src,
        out: args.out,
        dist: args.dist,
        lib: args.lib,
        description: args.description,
        version,
        copy_lib: args.copy_lib,
        compile_for: (!args.no_compile).then_some(args.python),
    };
    let plan = match package::plan(&opts) {
        Ok(plan) => plan,
        Err(errors) => {
            // One line per problem, named by its option, as gen-python names manifest
            // problems by their JSON path; main prints the summary as the error.
            for err in &errors {
                eprintln!("{err}");
            }
            bail!(
                "{} problem{} with the options; nothing was written",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
        }
    };
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    let files = package::render(&plan);
    let report = package::write(&plan.out, &files).map_err(anyhow::Error::msg)?;
    println!("{report}");
    println!(
        "project {} {} (import {}), wheel {}",
        plan.dist,
        plan.version,
        plan.package,
        plan.wheel_file_name()
    );
    match &plan.native {
        Some(b) => println!("bundles {}: {}", b.file_name, b.library.summary),
        None => println!(
            "pure Python wheel: the library {} must be found through ${} or the system \
             loader",
            plan.os.library_file_name(&plan.lib),
            plan.source.env_var
        ),
    }
    let folder = local_path(&plan.out);
    println!(
        "build it with: pip wheel {folder} --no-deps -w dist   (or, with the `build` \
         package installed by `pip install build`: python -m build {folder})"
    );
    Ok(())
}

/// `path` as pip and build must be given it to take a local folder: a relative path
/// without a separator (`pkg`) is a project name to pip, which it would download from
/// PyPI, so it gets a `./` in front.
fn local_path(path: &std::path::Path) -> String {
    use std::path::Component;
    let text = path.display().to_string();
    match path.components().next() {
        Some(Component::Normal(_)) => format!("./{text}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::local_path;

    #[test]
    fn a_relative_folder_is_shown_as_a_local_path() {
        assert_eq!(local_path(Path::new("pkg")), "./pkg");
        assert_eq!(local_path(Path::new("out/pkg")), "./out/pkg");
        assert_eq!(local_path(Path::new("./pkg")), "./pkg");
        assert_eq!(local_path(Path::new("../pkg")), "../pkg");
        assert_eq!(local_path(Path::new("/tmp/pkg")), "/tmp/pkg");
    }
}
