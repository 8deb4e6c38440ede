//! `vix-ffi new NAME [--lang rust|cpp] [--path DIR]`: a new library project that builds,
//! passes its own tests and makes a wheel on its first `vix-ffi build`.
//!
//! The templates are the files under `new/`, with `{{name}}` (and `{{NAME}}`, upper case)
//! and the few values below put in. The project depends on Vix FFI through a checkout
//! when one is known (`--vix-ffi-path`, else the source tree this executable was built
//! from, if it is still there): a path dependency with a version for Rust, the
//! `VIX_FFI_SOURCE_DIR` of its CMakeLists.txt for C++; without one, on the crates.io
//! version of `vix-ffi` and an installed CMake package.
//!
//! The project is written into a temporary folder beside the destination (for Rust,
//! `from-rust` then writes its manifest and header there), which is renamed into place
//! only once complete: a failure leaves nothing behind.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vix_ffi_gen::names;

/// Options of `vix-ffi new`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project's name, which is also its crate, its Python package and its library:
    /// lowercase ASCII letters, digits and `_`, starting with a letter.
    name: String,
    /// The language of the library.
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    lang: Lang,
    /// The folder to create [default: ./NAME]; it must not exist.
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// A Vix FFI source tree for the project to depend on [default: the one this vix-ffi
    /// was built from, when it is still there; else the crates.io vix-ffi (Rust) or an
    /// installed CMake package (C++)].
    #[arg(long, value_name = "DIR")]
    vix_ffi_path: Option<PathBuf>,
}

/// The language of a new project.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// A Rust crate written with `#[vix_ffi::export]`.
    Rust,
    /// A C++ library written with vix_ffi.hpp, built by CMake.
    Cpp,
}

/// The version of the `vix-ffi` crate this executable goes with.
const VIX_FFI_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where this executable's sources were: `<checkout>/crates/vix-ffi-cli`.
const BUILT_FROM: &str = env!("CARGO_MANIFEST_DIR");

/// Rust keywords (all editions, reserved ones included), which Cargo refuses as names.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names Cargo, the Rust toolchain, Windows or CMake keep for themselves.
const RESERVED: &[&str] = &[
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "all",
    "clean",
    "help",
    "install",
    "package",
    "edit_cache",
    "rebuild_cache",
];

/// Checks that `name` can be a crate, a Python package, a C prefix and a CMake target.
pub fn check_name(name: &str) -> Result<()> {
    let refuse = |why: String| -> Result<()> {
        bail!(
            "{name:?} cannot name the project (it is also its crate, Python package and \
             library): {why}"
        )
    };
    let shaped = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !shaped {
        let suggestion: String = name
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_matches('_')
            .to_owned();
        let hint = if !suggestion.is_empty()
            && suggestion.starts_with(|c: char| c.is_ascii_lowercase())
            && suggestion != name
        {
            format!(" such as {suggestion:?}")
        } else {
            String::new()
        };
        return refuse(format!(
            "use lowercase ASCII letters, digits and \"_\", starting with a letter{hint}"
        ));
    }
    if name.len() > 64 {
        return refuse(format!(
            "it is {} characters long, and crates.io takes at most 64",
            name.len()
        ));
    }
    if RUST_KEYWORDS.contains(&name) {
        return refuse("it is a Rust keyword".to_owned());
    }
    if RESERVED.contains(&name) {
        return refuse("Cargo, Windows or CMake keep that name for themselves".to_owned());
    }
    if names::is_c_keyword(name) {
        return refuse("it is a C or C++ keyword".to_owned());
    }
    if name.starts_with("vix_ffi") {
        return refuse("names starting with vix_ffi belong to Vix FFI's own crates".to_owned());
    }
    names::check_package_name(name).or_else(|e| refuse(e.to_string()))
}

/// A Vix FFI source tree: it holds the `vix-ffi` crate and the CMake package.
fn is_checkout(dir: &Path) -> bool {
    dir.join("crates/vix-ffi/Cargo.toml").is_file() && dir.join("cmake/VixFfi.cmake").is_file()
}

/// The checkout to depend on: `--vix-ffi-path` (which must be one), else the tree this
/// executable was built from, if it still is one.
fn checkout(option: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(dir) = option {
        let dir = crate::build::absolute(dir)?;
        if !is_checkout(&dir) {
            bail!(
                "--vix-ffi-path {}: not a Vix FFI source tree (looked for \
                 crates/vix-ffi/Cargo.toml and cmake/VixFfi.cmake in it)",
                dir.display()
            );
        }
        return Ok(Some(dir.canonicalize().unwrap_or(dir)));
    }
    let built_from = Path::new(BUILT_FROM).join("../..");
    Ok(is_checkout(&built_from)
        .then(|| built_from.canonicalize().ok())
        .flatten())
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// The files of the project, relative to its folder.
pub fn render(name: &str, lang: Lang, checkout: Option<&Path>) -> Vec<(PathBuf, String)> {
    let fill = |template: &str, extra: &[(&str, String)]| {
        let mut text = template
            .replace("{{name}}", name)
            .replace("{{NAME}}", &name.to_ascii_uppercase())
            .replace("{{vix_ffi_version}}", VIX_FFI_VERSION);
        for (key, value) in extra {
            text = text.replace(&format!("{{{{{key}}}}}"), value);
        }
        text
    };
    let test_name = PathBuf::from(format!("tests/test_{name}.py"));
    match lang {
        Lang::Rust => {
            let (dependency, note) = match checkout {
                Some(dir) => (
                    format!(
                        "vix-ffi = {{ version = \"{VIX_FFI_VERSION}\", path = {} }}",
                        toml_string(&dir.join("crates/vix-ffi").display().to_string())
                    ),
                    format!(
                        "through the Vix FFI checkout at `{}`: a path dependency with a \
                         version, which `cargo publish` turns into the crates.io dependency \
                         `vix-ffi = \"{VIX_FFI_VERSION}\"`",
                        dir.display()
                    ),
                ),
                None => (
                    format!("vix-ffi = \"{VIX_FFI_VERSION}\""),
                    format!("from crates.io (`vix-ffi = \"{VIX_FFI_VERSION}\"`)"),
                ),
            };
            let extra = [
                ("vix_ffi_dependency", dependency),
                ("dependency_note", note),
                ("install", "vix-ffi develop".to_owned()),
            ];
            vec![
                (
                    "Cargo.toml".into(),
                    fill(include_str!("new/rust/Cargo.toml.in"), &extra),
                ),
                (
                    "src/lib.rs".into(),
                    fill(include_str!("new/rust/lib.rs.in"), &extra),
                ),
                (test_name, fill(include_str!("new/test_py.in"), &extra)),
                (
                    "README.md".into(),
                    fill(include_str!("new/rust/README.md.in"), &extra),
                ),
                (
                    ".gitignore".into(),
                    fill(include_str!("new/rust/gitignore.in"), &extra),
                ),
            ]
        }
        Lang::Cpp => {
            let (source_dir, note) = match checkout {
                Some(dir) => (
                    dir.display().to_string(),
                    format!("here, the checkout at `{}`", dir.display()),
                ),
                None => (
                    String::new(),
                    "empty here: pass `-DVIX_FFI_SOURCE_DIR=<a checkout>` to cmake, or \
                     install the package"
                        .to_owned(),
                ),
            };
            let extra = [
                // A CMake quoted argument: no `"`, `\` or `$` may end it early.
                (
                    "vix_ffi_source_dir",
                    source_dir
                        .replace('\\', "/")
                        .replace('"', "\\\"")
                        .replace('$', "\\$"),
                ),
                ("source_note", note),
                (
                    "install",
                    format!(
                        "vix-ffi build --cmake . && pip install target/wheels/vix_{name}-*.whl"
                    ),
                ),
            ];
            vec![
                (
                    "CMakeLists.txt".into(),
                    fill(include_str!("new/cpp/CMakeLists.txt.in"), &extra),
                ),
                (
                    format!("src/{name}.cpp").into(),
                    fill(include_str!("new/cpp/lib.cpp.in"), &extra),
                ),
                (
                    "bindings.json".into(),
                    fill(include_str!("new/cpp/bindings.json.in"), &extra),
                ),
                (test_name, fill(include_str!("new/test_py.in"), &extra)),
                (
                    "README.md".into(),
                    fill(include_str!("new/cpp/README.md.in"), &extra),
                ),
                (
                    ".gitignore".into(),
                    fill(include_str!("new/cpp/gitignore.in"), &extra),
                ),
            ]
        }
    }
}

/// Runs `vix-ffi new`.
pub fn run(args: Args) -> Result<()> {
    check_name(&args.name)?;
    let dest = crate::build::absolute(args.path.as_deref().unwrap_or(Path::new(&args.name)))?;
    if dest.symlink_metadata().is_ok() {
        bail!(
            "{} already exists: vix-ffi new makes a new folder and never writes into an \
             existing one; pass --path with another folder",
            dest.display()
        );
    }
    let parent = dest
        .parent()
        .with_context(|| format!("{} has no parent folder", dest.display()))?;
    if !parent.is_dir() {
        bail!(
            "{} does not exist: create it first, or pass --path with a folder in an existing \
             one",
            parent.display()
        );
    }
    let checkout = checkout(args.vix_ffi_path.as_deref())?;

    let temp = tempfile::Builder::new()
        .prefix(".vix-ffi-new-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    for (rel, text) in render(&args.name, args.lang, checkout.as_deref()) {
        let path = temp.path().join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.lang == Lang::Rust {
        // The manifest and the header, as `vix-ffi build` will write them.
        crate::build::run_self(&[
            "from-rust".as_ref(),
            "--crate".as_ref(),
            temp.path().as_os_str(),
        ])
        .context("from-rust failed on the new crate")?;
    }
    if dest.symlink_metadata().is_ok() {
        bail!("{} appeared while the project was written", dest.display());
    }
    std::fs::rename(temp.path(), &dest)
        .with_context(|| format!("cannot move the new project to {}", dest.display()))?;
    // The folder is in place: the temporary one no longer exists.
    let _ = temp.keep();

    let lang = match args.lang {
        Lang::Rust => "Rust crate",
        Lang::Cpp => "C++ library (CMake)",
    };
    println!("created {} ({lang}) in {}", args.name, dest.display());
    match &checkout {
        Some(dir) => println!("it uses Vix FFI from {}", dir.display()),
        None => eprintln!(
            "note: no Vix FFI checkout found, so the project {}; pass --vix-ffi-path with a \
             checkout to use that instead",
            match args.lang {
                Lang::Rust => format!("depends on vix-ffi {VIX_FFI_VERSION} from crates.io"),
                Lang::Cpp => "needs an installed vix_ffi CMake package".to_owned(),
            }
        ),
    }
    let build = match args.lang {
        Lang::Rust => "vix-ffi build",
        Lang::Cpp => "vix-ffi build --cmake .",
    };
    println!(
        "next: cd {} && {build}   (README.md says how to test, develop and publish)",
        dest.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names() {
        for name in ["demo", "my_lib2", "a", "fast_hash"] {
            check_name(name).unwrap();
        }
    }

    #[test]
    fn bad_names_say_why() {
        for (name, why) in [
            ("My-Lib", "such as \"my_lib\""),
            ("2fast", "starting with a letter"),
            ("", "starting with a letter"),
            ("_x", "starting with a letter"),
            ("caf\u{e9}", "lowercase ASCII"),
            ("fn", "a Rust keyword"),
            ("match", "a Rust keyword"),
            ("test", "keep that name"),
            ("con", "keep that name"),
            ("int", "C or C++ keyword"),
            ("lambda", "Python keyword"),
            ("json", "standard-library module"),
            ("vix_ffi_x", "belong to Vix FFI"),
        ] {
            let err = check_name(name).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{name:?} cannot name the project")),
                "{err}"
            );
            assert!(err.contains(why), "{name}: {err}");
        }
        let long = "a".repeat(65);
        assert!(check_name(&long)
            .unwrap_err()
            .to_string()
            .contains("at most 64"));
    }

    #[test]
    fn the_rust_dependency_is_the_checkout_or_crates_io() {
        let files = render("demo", Lang::Rust, Some(Path::new("/src/vix")));
        let toml = &files
            .iter()
            .find(|(p, _)| p == Path::new("Cargo.toml"))
            .unwrap()
            .1;
        assert!(
            toml.contains(&format!(
                "vix-ffi = {{ version = \"{VIX_FFI_VERSION}\", path = \"/src/vix/crates/vix-ffi\" }}"
            )),
            "{toml}"
        );
        let files = render("demo", Lang::Rust, None);
        let toml = &files
            .iter()
            .find(|(p, _)| p == Path::new("Cargo.toml"))
            .unwrap()
            .1;
        assert!(
            toml.contains(&format!("vix-ffi = \"{VIX_FFI_VERSION}\"\n")),
            "{toml}"
        );
        for (path, text) in &files {
            assert!(!text.contains("{{"), "{}: {text}", path.display());
        }
    }

    #[test]
    fn the_cpp_project_names_everything_after_the_project() {
        let files = render("demo", Lang::Cpp, Some(Path::new("/src/vix")));
        let paths: Vec<_> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(
            paths,
            [
                "CMakeLists.txt",
                "src/demo.cpp",
                "bindings.json",
                "tests/test_demo.py",
                "README.md",
                ".gitignore"
            ]
        );
        for (path, text) in &files {
            assert!(!text.contains("{{"), "{}: {text}", path.display());
        }
        let cmake = &files[0].1;
        assert!(
            cmake.contains("set(VIX_FFI_SOURCE_DIR \"/src/vix\""),
            "{cmake}"
        );
        assert!(cmake.contains("DEMO_VERSION="), "{cmake}");
        let manifest = vix_ffi_gen::manifest::parse(&files[2].1).unwrap();
        assert_eq!(manifest.python.package, "demo");
        assert_eq!(manifest.library.name, "demo");
    }

    #[test]
    fn an_existing_folder_is_never_written_into() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("demo");
        std::fs::create_dir(&dest).unwrap();
        let err = run(Args {
            name: "demo".into(),
            lang: Lang::Cpp,
            path: Some(dest.clone()),
            vix_ffi_path: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);
        let err = run(Args {
            name: "demo".into(),
            lang: Lang::Cpp,
            path: Some(tmp.path().join("no/such/demo")),
            vix_ffi_path: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("does not exist"), "{err}");
        let err = run(Args {
            name: "demo".into(),
            lang: Lang::Cpp,
            path: Some(tmp.path().join("d2")),
            vix_ffi_path: Some(tmp.path().to_path_buf()),
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("not a Vix FFI source tree"), "{err}");
        assert!(!tmp.path().join("d2").exists());
    }

    #[test]
    fn a_cpp_project_is_written_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("demo");
        run(Args {
            name: "demo".into(),
            lang: Lang::Cpp,
            path: Some(dest.clone()),
            vix_ffi_path: None,
        })
        .unwrap();
        assert!(dest.join("src/demo.cpp").is_file());
        assert!(dest.join("tests/test_demo.py").is_file());
        // Nothing but the project is left in the parent folder.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
