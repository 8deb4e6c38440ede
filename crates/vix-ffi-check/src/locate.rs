//! Where the library is looked for, in the generated loader's order.
//!
//! Without `--lib`: each non-empty entry of the manifest's environment variable, then each
//! `library.search_paths` entry (relative ones against the manifest's folder, since there
//! is no package folder here), then the bare file name for the system loader. With
//! `--lib`: that file, or the library's file name inside that folder.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use vix_ffi_gen::manifest::Library;

/// `lib<name>.so`, `lib<name>.dylib` or `<name>.dll`, as the generated loader names it.
pub fn file_name(library: &Library) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        library.name,
        std::env::consts::DLL_SUFFIX
    )
}

/// The candidates to try, in order; the last one may be a bare file name for the system
/// loader. `env` is the value of `library.env_var`, if set.
pub fn candidates(
    library: &Library,
    manifest_dir: &Path,
    lib: Option<&Path>,
    env: Option<&OsStr>,
) -> Vec<String> {
    let name = file_name(library);
    if let Some(lib) = lib {
        let path = if lib.is_dir() {
            lib.join(&name)
        } else {
            lib.to_path_buf()
        };
        return vec![absolute(&path)];
    }
    let mut out = Vec::new();
    if let Some(env) = env {
        for dir in std::env::split_paths(env) {
            if !dir.as_os_str().is_empty() {
                out.push(absolute(&dir.join(&name)));
            }
        }
    }
    for dir in &library.search_paths {
        let dir = Path::new(dir);
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            manifest_dir.join(dir)
        };
        out.push(absolute(&dir.join(&name)));
    }
    out.push(name);
    out
}

/// `path` made absolute against the current folder (the child runs elsewhere), as text.
fn absolute(path: &Path) -> String {
    let path: PathBuf = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(search_paths: &[&str]) -> Library {
        Library {
            name: "demo".into(),
            env_var: "DEMO_LIB_PATH".into(),
            search_paths: search_paths.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn env_entries_then_search_paths_then_the_system_loader() {
        let env = std::env::join_paths(["/a", "", "/b"]).unwrap();
        let got = candidates(
            &library(&["rel", "/abs"]),
            Path::new("/manifest/dir"),
            None,
            Some(&env),
        );
        assert_eq!(
            got,
            [
                "/a/libdemo.so",
                "/b/libdemo.so",
                "/manifest/dir/rel/libdemo.so",
                "/abs/libdemo.so",
                "libdemo.so"
            ]
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn an_explicit_lib_is_the_only_candidate() {
        let got = candidates(
            &library(&["x"]),
            Path::new("/m"),
            Some(Path::new("/some/libother.so")),
            None,
        );
        assert_eq!(got, ["/some/libother.so"]);
    }
}
