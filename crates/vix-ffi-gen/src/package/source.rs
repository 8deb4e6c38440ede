//! The generated package a project is built around: where `gen-python` put it, its files,
//! and what its `_native.py` says about the library it loads.

use std::path::{Path, PathBuf};

/// The package folder and its files, read into memory.
#[derive(Clone, Debug)]
pub struct SourcePackage {
    /// The folder holding `_native.py`.
    pub dir: PathBuf,
    /// `(path relative to dir with / separators, content)`, sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// `ENV_VAR` of `_native.py`.
    pub env_var: String,
    /// `LIBRARY_NAME` of `_native.py`.
    pub library_name: String,
    /// The manifest's `library.search_paths`, as `_native.py` holds them.
    pub search_paths: Vec<String>,
    /// Public functions of `api.py` (`__all__` minus the exceptions), as their `def` lines.
    pub api_functions: Vec<String>,
}

/// The folders, under `--src`, where the package may be: what `gen-python --out DIR`
/// writes (`DIR/python/<package>`), a folder of packages (`DIR/<package>`), or the package
/// folder itself.
pub fn candidates(src: &Path, package: &str) -> Vec<PathBuf> {
    let mut list = vec![src.join("python").join(package), src.join(package)];
    if src.file_name().is_some_and(|name| name == package) {
        list.push(src.to_path_buf());
    }
    list
}

/// Finds and reads the package. Errors are complete sentences for the `--src` option.
pub fn read(src: &Path, package: &str) -> Result<SourcePackage, String> {
    if !src.is_dir() {
        return Err(if src.exists() {
            format!("{} is not a folder", src.display())
        } else {
            format!("{} does not exist", src.display())
        });
    }
    let places = candidates(src, package);
    let Some(dir) = places.iter().find(|d| d.join("_native.py").is_file()) else {
        let tried: Vec<String> = places
            .iter()
            .map(|d| d.join("_native.py").display().to_string())
            .collect();
        return Err(format!(
            "no generated package {package:?} in {}: looked for {} (generate it first with \
             `vix-ffi gen-python --spec bindings.json --out {}`)",
            src.display(),
            tried.join(", "),
            src.display()
        ));
    };
    let dir = dir.clone();
    if !dir.join("__init__.py").is_file() {
        return Err(format!(
            "{} has _native.py but no __init__.py: it is not a complete generated package",
            dir.display()
        ));
    }
    let mut files = Vec::new();
    collect(&dir, "", &mut files)?;
    files.sort();
    if let Some((name, _)) = files.iter().find(|(name, _)| is_native_library(name)) {
        return Err(format!(
            "{} already holds a native library ({name}); give the library with --copy-lib \
             instead, so that the wheel gets the right platform tag",
            dir.display()
        ));
    }
    let text = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| String::from_utf8_lossy(c).into_owned())
    };
    // The loader's constants are in _vix_base.py since the compiled backend; packages
    // generated before have them in _native.py.
    let native = text("_vix_base.py")
        .or_else(|| text("_native.py"))
        .unwrap_or_default();
    let assignment = |name: &str| {
        string_assignment(&native, name).ok_or_else(|| {
            format!(
                "{}: no `{name} = \"...\"` line: this _native.py was not written by vix-ffi \
                 gen-python",
                dir.join("_native.py").display()
            )
        })
    };
    let env_var = assignment("ENV_VAR")?;
    let library_name = assignment("LIBRARY_NAME")?;
    let api_functions = text("api.py")
        .map(|api| public_defs(&api))
        .unwrap_or_default();
    Ok(SourcePackage {
        dir,
        files,
        env_var,
        library_name,
        search_paths: search_paths(&native),
        api_functions,
    })
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "__pycache__" || name.ends_with(".pyc") || name.ends_with(".pyo") {
            continue;
        }
        // A compiled backend built beside the sources (`gen-python --compile`):
        // gen-package builds its own.
        if prefix.is_empty() && name.starts_with("_vix_ext.") && name != "_vix_ext.c" {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if path.is_dir() {
            collect(&path, &format!("{rel}/"), out)?;
        } else if path.is_file() {
            let content = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((rel, content));
        }
    }
    Ok(())
}

/// `libfoo.so`, `libfoo.so.1`, `foo.dylib`, `foo.dll`, `foo.pyd`.
fn is_native_library(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    [".so", ".dylib", ".dll", ".pyd"]
        .iter()
        .any(|ext| base.ends_with(ext))
        || base.contains(".so.")
}

/// The string value of a top-level `NAME = "..."` or `NAME: T = "..."` line.
fn string_assignment(source: &str, name: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let rest = match rest.trim_start().strip_prefix(':') {
            Some(annotated) => annotated.split_once('=')?.1,
            None => rest.trim_start().strip_prefix('=')?,
        };
        let rest = rest.trim();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?;
        (!value.contains('\\')).then(|| value.to_owned())
    })
}

/// The entries of the `_VIX_SEARCH_PATHS` tuple of `_native.py`, one string literal a
/// line (`()` when the manifest has none).
fn search_paths(native: &str) -> Vec<String> {
    let mut lines = native
        .lines()
        .skip_while(|l| !l.starts_with("_VIX_SEARCH_PATHS"));
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    if !first.trim_end().ends_with('(') {
        return Vec::new();
    }
    lines
        .take_while(|l| !l.trim_start().starts_with(')'))
        .filter_map(|l| python_string(l.trim().trim_end_matches(',')))
        .collect()
}

/// The value of a one-line Python string literal with simple escapes.
fn python_string(literal: &str) -> Option<String> {
    let quote = literal.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            other @ ('\\' | '"' | '\'') => out.push(other),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// The `def` lines (without the colon) of the functions named in `__all__`.
fn public_defs(api: &str) -> Vec<String> {
    let Some(all) = api.find("\n__all__") else {
        return Vec::new();
    };
    let tail = &api[all..];
    let Some(open) = tail.find(['[', '(']) else {
        return Vec::new();
    };
    let Some(close) = tail[open..].find([']', ')']) else {
        return Vec::new();
    };
    let names: Vec<&str> = tail[open + 1..open + close]
        .split(',')
        .map(|n| n.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|n| !n.is_empty())
        .collect();
    names
        .iter()
        .filter_map(|name| {
            let prefix = format!("def {name}(");
            api.lines()
                .find(|line| line.starts_with(&prefix) && line.trim_end().ends_with(':'))
                .map(|line| line.trim_end().trim_end_matches(':').to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_assignments() {
        let src = "import os\nENV_VAR = \"VIX_LIB_PATH\"\nLIBRARY_NAME: Final[str] = 'm'\n\
                   LIBRARY_FILENAME = _vix_name()\n";
        assert_eq!(
            string_assignment(src, "ENV_VAR").as_deref(),
            Some("VIX_LIB_PATH")
        );
        assert_eq!(string_assignment(src, "LIBRARY_NAME").as_deref(), Some("m"));
        assert_eq!(string_assignment(src, "LIBRARY_FILENAME"), None);
        assert_eq!(string_assignment(src, "ENV"), None);
    }

    #[test]
    fn search_paths_of_native() {
        let none = "x = 1\n_VIX_SEARCH_PATHS: tuple[str, ...] = ()\n";
        assert!(search_paths(none).is_empty());
        let some = "_VIX_SEARCH_PATHS: tuple[str, ...] = (\n    \"lib\",\n    \
                    \"/opt/x \\\"y\\\"\",\n)\nafter = 1\n";
        assert_eq!(search_paths(some), ["lib", "/opt/x \"y\""]);
    }

    #[test]
    fn public_functions_of_api() {
        let api = "def version() -> str:\n    ...\ndef encode(data: Buffer) -> str:\n\
                   def _vix_helper() -> None:\n\n__all__ = [\n    \"VixError\",\n    \
                   \"encode\",\n    \"version\",\n]\n";
        assert_eq!(
            public_defs(api),
            ["def encode(data: Buffer) -> str", "def version() -> str"]
        );
    }

    #[test]
    fn native_library_names() {
        for name in [
            "libm.so",
            "libm.so.6",
            "x/m.dll",
            "m.dylib",
            "m.cpython-311.pyd",
        ] {
            assert!(is_native_library(name), "{name}");
        }
        for name in ["_native.py", "py.typed", "solver.py"] {
            assert!(!is_native_library(name), "{name}");
        }
    }
}
