//! `vix-ffi build --cmake DIR`: the CMake project, as CMake sees it. The project is
//! configured in Release into `DIR/target/cmake-<level>/` with a query of CMake's file API
//! (`codemodel-v2`), whose reply names every target and the file it builds, so the
//! library is the shared library target whose file is the manifest's `library.name`, and
//! only that target is built. No path is guessed.
//!
//! For `--manylinux`, zig compiles C and C++ for the glibc asked for (`zig cc -target
//! x86_64-linux-gnu.2.17`), through two small scripts written beside the build folder,
//! given to CMake as `CMAKE_C_COMPILER` and `CMAKE_CXX_COMPILER`; zig links its own C++
//! runtime statically, so the library needs nothing from the system but glibc.
//!
//! The project's version and description (`project(... VERSION ... DESCRIPTION ...)`) are
//! what a one-line script included after the top-level `project()`
//! (`CMAKE_PROJECT_INCLUDE`) writes into the build folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::tools::{self, Manylinux};

/// A CMake project and where `build` puts what it makes.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder holding `CMakeLists.txt`.
    pub source: PathBuf,
    /// The manifest: `--spec`, else `bindings.json` in the source folder.
    pub manifest: PathBuf,
    /// `DIR/target`: the build folder, the generated project and the wheels go under it.
    pub target_dir: PathBuf,
    /// `DIR/target/cmake-release` (`cmake-manylinux_2_17` with `--manylinux 2014`,
    /// `cmake-debug` for `develop`).
    pub build_dir: PathBuf,
    /// The build type: `Release`, or `Debug` for `develop`.
    pub config: &'static str,
}

/// zig as the compiler, for a glibc floor.
#[derive(Clone, Debug)]
pub struct Zig {
    /// The target in cargo-zigbuild's spelling: `x86_64-unknown-linux-gnu.2.17`.
    pub target: String,
    /// The Python whose `-m ziglang` is zig (`None`: `zig` on `PATH`).
    pub python: Option<PathBuf>,
}

/// What configuring found: the library's target and the project's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configured {
    /// The CMake target that builds the library.
    pub target: String,
    /// The file it builds, absolute.
    pub artifact: PathBuf,
    /// `PROJECT_VERSION` of the top-level project (empty when it gave none).
    pub version: String,
    /// `PROJECT_DESCRIPTION` (empty when it gave none).
    pub description: String,
}

/// The file the included script writes: the version, then the description.
const PROJECT_INFO: &str = "vix-ffi-project.txt";

/// Included after every `project()`; records the top-level one's version and description.
const PROJECT_INCLUDE: &str = "# Written by vix-ffi build: records the version and description of the top-level\n\
# project, which the wheel takes.\n\
if(CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)\n\
    file(WRITE \"${CMAKE_BINARY_DIR}/vix-ffi-project.txt\" \"${PROJECT_VERSION}\\n${PROJECT_DESCRIPTION}\\n\")\n\
endif()\n";

/// The `cmake` executable: `$CMAKE`, else `cmake` on `PATH`.
pub fn find_cmake() -> Result<PathBuf> {
    if let Some(cmake) = std::env::var_os("CMAKE").filter(|c| !c.is_empty()) {
        return Ok(PathBuf::from(cmake));
    }
    tools::find_in_path("cmake", std::env::var_os("PATH").as_deref(), &[]).context(
        "--cmake needs cmake (3.20 or later), which is not on PATH: install it (`apt-get \
         install cmake`, `pip install cmake`, or from cmake.org)",
    )
}

impl Project {
    /// The project in `source` (absolute), with its manifest: `spec`, else
    /// `source/bindings.json`; both must exist.
    pub fn new(source: &Path, spec: Option<&Path>, level: Option<Manylinux>) -> Result<Self> {
        if !source.join("CMakeLists.txt").is_file() {
            bail!(
                "{} has no CMakeLists.txt: --cmake takes the folder of a CMake project that \
                 uses vix_ffi_add_library()",
                source.display()
            );
        }
        let manifest = match spec {
            Some(spec) => {
                let spec = super::absolute(spec)?;
                if !spec.is_file() {
                    bail!("--spec {}: no such file", spec.display());
                }
                spec
            }
            None => {
                let manifest = source.join("bindings.json");
                if !manifest.is_file() {
                    bail!(
                        "no manifest found: looked for {} (the convention for a CMake \
                         project); pass --spec FILE with the library's bindings.json",
                        manifest.display()
                    );
                }
                manifest
            }
        };
        let target_dir = source.join("target");
        let build_dir = target_dir.join(match level.unwrap_or(Manylinux::Host) {
            Manylinux::Host => "cmake-release".to_owned(),
            Manylinux::Glibc(minor) => format!("cmake-manylinux_2_{minor}"),
        });
        Ok(Project {
            source: source.to_path_buf(),
            manifest,
            target_dir,
            build_dir,
            config: "Release",
        })
    }

    /// The same project built as `Debug` in `DIR/target/cmake-debug` (for `develop`).
    pub fn debug(self) -> Self {
        Project {
            build_dir: self.target_dir.join("cmake-debug"),
            config: "Debug",
            ..self
        }
    }

    /// The `cmake` configure command, with the file API's query and the project include
    /// already written.
    pub fn configure_command(&self, cmake: &Path, compilers: Option<(&Path, &Path)>) -> Command {
        let mut cmd = Command::new(cmake);
        cmd.arg("-S")
            .arg(&self.source)
            .arg("-B")
            .arg(&self.build_dir)
            .arg(format!("-DCMAKE_BUILD_TYPE={}", self.config))
            .arg(define(
                "CMAKE_PROJECT_INCLUDE",
                &self.build_dir.join("vix-ffi-project.cmake"),
            ));
        if let Some((cc, cxx)) = compilers {
            cmd.arg(define("CMAKE_C_COMPILER", cc))
                .arg(define("CMAKE_CXX_COMPILER", cxx));
        }
        cmd
    }

    /// Configures the project and finds the shared library target whose file is
    /// `file_name` (`lib<library>.so`).
    pub fn configure(
        &self,
        cmake: &Path,
        zig: Option<&Zig>,
        file_name: &str,
        library: &str,
    ) -> Result<Configured> {
        let query = self.build_dir.join(".cmake/api/v1/query");
        std::fs::create_dir_all(&query)
            .with_context(|| format!("cannot create {}", query.display()))?;
        std::fs::write(query.join("codemodel-v2"), "")
            .with_context(|| format!("cannot write in {}", query.display()))?;
        std::fs::write(
            self.build_dir.join("vix-ffi-project.cmake"),
            PROJECT_INCLUDE,
        )
        .with_context(|| format!("cannot write in {}", self.build_dir.display()))?;
        let info = self.build_dir.join(PROJECT_INFO);
        let _ = std::fs::remove_file(&info);
        let reply = self.build_dir.join(".cmake/api/v1/reply");
        let _ = std::fs::remove_dir_all(&reply);
        let compilers = match zig {
            Some(zig) => Some(write_zig_scripts(&self.target_dir.join("zig"), zig)?),
            None => None,
        };
        let mut cmd = self.configure_command(
            cmake,
            compilers
                .as_ref()
                .map(|(c, cxx)| (c.as_path(), cxx.as_path())),
        );
        run_shown(&mut cmd, "`cmake -S ... -B ...`")?;
        let (version, description) = match std::fs::read_to_string(&info) {
            Ok(text) => {
                let mut lines = text.lines();
                let version = lines.next().unwrap_or_default().trim().to_owned();
                (
                    version,
                    lines.collect::<Vec<_>>().join(" ").trim().to_owned(),
                )
            }
            Err(_) => bail!(
                "{} was not written: does {} call project() (and leave CMAKE_PROJECT_INCLUDE to vix-ffi)?",
                info.display(),
                self.source.join("CMakeLists.txt").display()
            ),
        };
        let libraries = shared_libraries(&reply, self.config)?;
        let (target, artifact) = pick_library(&libraries, file_name, library, &self.build_dir)?;
        Ok(Configured {
            target,
            artifact,
            version,
            description,
        })
    }

    /// Builds the library's target in the project's configuration; returns its file.
    pub fn build(&self, cmake: &Path, configured: &Configured) -> Result<PathBuf> {
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut cmd = Command::new(cmake);
        cmd.arg("--build")
            .arg(&self.build_dir)
            .args(["--config", self.config, "--target", &configured.target])
            .args(["--parallel", &jobs.to_string()]);
        run_shown(&mut cmd, "`cmake --build`")?;
        if !configured.artifact.is_file() {
            bail!(
                "the build succeeded but {} is not there",
                configured.artifact.display()
            );
        }
        Ok(configured.artifact.clone())
    }
}

/// `-DNAME=path`.
fn define(name: &str, path: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from(format!("-D{name}="));
    arg.push(path);
    arg
}

/// Runs `cmd` with its output on this process's standard error (standard output is the
/// wheel's report); fails with the fix when it fails.
fn run_shown(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()
        .with_context(|| format!("cannot start {}", Path::new(cmd.get_program()).display()))?;
    if !status.success() {
        bail!(
            "{what} exited with {status}: fix what CMake or the compiler says above and run \
             again"
        );
    }
    Ok(())
}

/// Writes `zig-cc` and `zig-c++` into `dir`: scripts that run zig's compilers for the
/// target, for CMake, which wants one executable per compiler.
pub fn write_zig_scripts(dir: &Path, zig: &Zig) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let suffix = zig.target.replacen("-unknown-", "-", 1);
    let mut paths = Vec::new();
    for tool in ["cc", "c++"] {
        let words = super::zig_command(zig.python.as_deref(), &zig.target, tool);
        let script = format!(
            "#!/bin/sh\n# Written by vix-ffi build --manylinux: zig {tool} for {suffix}.\nexec {} \"$@\"\n",
            words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let path = dir.join(format!("zig-{tool}-{suffix}"));
        std::fs::write(&path, script)
            .with_context(|| format!("cannot write {}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
        paths.push(path);
    }
    let cxx = paths.pop().unwrap_or_default();
    let cc = paths.pop().unwrap_or_default();
    Ok((cc, cxx))
}

/// `word` quoted for `sh` when it needs it.
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./+=:,@".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A shared library target of the project: its name and file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedLibrary {
    /// The CMake target.
    pub target: String,
    /// Its file name (`nameOnDisk`).
    pub file_name: String,
    /// Its file, as the reply gives it (relative to the build folder, or absolute).
    pub path: PathBuf,
}

/// Every shared library target in the file API's reply folder, in the configuration
/// `config` (the only one of a single-configuration generator).
pub fn shared_libraries(reply: &Path, config: &str) -> Result<Vec<SharedLibrary>> {
    let read = |file: &Path| -> Result<Value> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read CMake's file API reply {}", file.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))
    };
    let index = std::fs::read_dir(reply)
        .with_context(|| {
            format!(
                "CMake wrote no file API reply in {} (CMake 3.14 or later is needed)",
                reply.display()
            )
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index-") && n.ends_with(".json"))
        .max()
        .with_context(|| format!("CMake wrote no index file in {}", reply.display()))?;
    let index = read(&reply.join(index))?;
    let codemodel = index["reply"]["codemodel-v2"]["jsonFile"]
        .as_str()
        .context("CMake's file API reply has no codemodel")?;
    let codemodel = read(&reply.join(codemodel))?;
    let configurations = codemodel["configurations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let configuration = configurations
        .iter()
        .find(|c| c["name"] == config)
        .or_else(|| configurations.first())
        .context("CMake's codemodel has no configuration")?;
    let mut found = Vec::new();
    for target in configuration["targets"].as_array().into_iter().flatten() {
        let Some(file) = target["jsonFile"].as_str() else {
            continue;
        };
        let target = read(&reply.join(file))?;
        if target["type"] != "SHARED_LIBRARY" {
            continue;
        }
        let (Some(name), Some(file_name), Some(path)) = (
            target["name"].as_str(),
            target["nameOnDisk"].as_str(),
            target["artifacts"][0]["path"].as_str(),
        ) else {
            continue;
        };
        found.push(SharedLibrary {
            target: name.to_owned(),
            file_name: file_name.to_owned(),
            path: PathBuf::from(path),
        });
    }
    Ok(found)
}

/// The library whose file is `file_name`, with its file made absolute against
/// `build_dir`; a message naming what was looked for and what there is otherwise.
pub fn pick_library(
    libraries: &[SharedLibrary],
    file_name: &str,
    library: &str,
    build_dir: &Path,
) -> Result<(String, PathBuf)> {
    let matching: Vec<&SharedLibrary> = libraries
        .iter()
        .filter(|l| l.file_name == file_name)
        .collect();
    match matching.as_slice() {
        [one] => Ok((one.target.clone(), build_dir.join(&one.path))),
        [] => {
            let there = if libraries.is_empty() {
                "it defines no shared library".to_owned()
            } else {
                format!(
                    "its shared libraries are {}",
                    libraries
                        .iter()
                        .map(|l| format!("{} (target {})", l.file_name, l.target))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            bail!(
                "looked for a shared library target building {file_name} (the manifest's \
                 library.name is {library:?}), but {there}: name the vix_ffi_add_library() \
                 target {library} (or give it OUTPUT_NAME {library}), or pass --spec with the \
                 manifest of the library to package"
            )
        }
        many => bail!(
            "several targets build {file_name}: {}; give the others another OUTPUT_NAME",
            many.iter()
                .map(|l| l.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(target: &str, file: &str) -> SharedLibrary {
        SharedLibrary {
            target: target.into(),
            file_name: file.into(),
            path: PathBuf::from(file),
        }
    }

    #[test]
    fn the_library_is_the_target_of_the_manifests_name() {
        let libs = [lib("greet", "libgreet.so"), lib("hooks", "libhooks.so")];
        let (target, path) = pick_library(&libs, "libgreet.so", "greet", Path::new("/b")).unwrap();
        assert_eq!(target, "greet");
        assert_eq!(path, Path::new("/b/libgreet.so"));
        let err = pick_library(&libs, "libother.so", "other", Path::new("/b"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("building libother.so"), "{err}");
        assert!(
            err.contains("libgreet.so (target greet), libhooks.so"),
            "{err}"
        );
        assert!(err.contains("OUTPUT_NAME other"), "{err}");
        let err = pick_library(&[], "libother.so", "other", Path::new("/b"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("it defines no shared library"), "{err}");
        let two = [lib("a", "libx.so"), lib("b", "libx.so")];
        let err = pick_library(&two, "libx.so", "x", Path::new("/b"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("several targets build libx.so: a, b"), "{err}");
    }

    #[test]
    fn a_project_needs_its_cmakelists_and_its_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Project::new(tmp.path(), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no CMakeLists.txt"), "{err}");
        std::fs::write(tmp.path().join("CMakeLists.txt"), "").unwrap();
        let err = Project::new(tmp.path(), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "looked for {}",
                tmp.path().join("bindings.json").display()
            )) && err.contains("--spec"),
            "{err}"
        );
        let err = Project::new(tmp.path(), Some(&tmp.path().join("none.json")), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such file"), "{err}");
        std::fs::write(tmp.path().join("bindings.json"), "{}").unwrap();
        let p = Project::new(tmp.path(), None, Some(Manylinux::Glibc(17))).unwrap();
        assert_eq!(p.manifest, tmp.path().join("bindings.json"));
        assert_eq!(p.build_dir, tmp.path().join("target/cmake-manylinux_2_17"));
        let p = Project::new(tmp.path(), None, None).unwrap();
        assert_eq!(p.build_dir, tmp.path().join("target/cmake-release"));
    }

    #[test]
    fn the_zig_scripts_run_zig_for_the_target() {
        let tmp = tempfile::tempdir().unwrap();
        let zig = Zig {
            target: "x86_64-unknown-linux-gnu.2.17".into(),
            python: Some(PathBuf::from("/my venv/bin/python")),
        };
        let (cc, cxx) = write_zig_scripts(tmp.path(), &zig).unwrap();
        let text = std::fs::read_to_string(&cc).unwrap();
        assert!(
            text.ends_with(
                "exec '/my venv/bin/python' -m ziglang cc -target x86_64-linux-gnu.2.17 \"$@\"\n"
            ),
            "{text}"
        );
        let text = std::fs::read_to_string(&cxx).unwrap();
        assert!(
            text.contains(" c++ -target x86_64-linux-gnu.2.17 "),
            "{text}"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn configure_asks_for_release_and_the_project_include() {
        let p = Project {
            source: "/src".into(),
            manifest: "/src/bindings.json".into(),
            target_dir: "/src/target".into(),
            build_dir: "/src/target/cmake-release".into(),
            config: "Release",
        };
        let args = |cmd: &Command| {
            cmd.get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        let cmd = p.configure_command(Path::new("cmake"), None);
        assert_eq!(
            args(&cmd),
            [
                "-S",
                "/src",
                "-B",
                "/src/target/cmake-release",
                "-DCMAKE_BUILD_TYPE=Release",
                "-DCMAKE_PROJECT_INCLUDE=/src/target/cmake-release/vix-ffi-project.cmake"
            ]
        );
        let cmd = p.configure_command(
            Path::new("cmake"),
            Some((Path::new("/z/cc"), Path::new("/z/c++"))),
        );
        assert_eq!(
            args(&cmd)[6..],
            ["-DCMAKE_C_COMPILER=/z/cc", "-DCMAKE_CXX_COMPILER=/z/c++"]
        );
        let cmd = p.debug().configure_command(Path::new("cmake"), None);
        assert_eq!(
            args(&cmd)[3..5],
            ["/src/target/cmake-debug", "-DCMAKE_BUILD_TYPE=Debug"]
        );
    }
}
