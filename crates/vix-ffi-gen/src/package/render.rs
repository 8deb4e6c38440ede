//! Renders the project's files from a [`Plan`], in memory.
//!
//! Every decision is taken here, in Rust; the templates under `templates/` only place
//! values. Strings reach TOML and Python through the `toml` and `py` filters, which write
//! quoted, escaped literals.

use minijinja::{AutoEscape, Environment, Value};
use serde::Serialize;

use super::native::Os;
use super::Plan;

/// A file of the project: its path relative to `--out` (with `/`), content, and whether
/// it is executable (the bundled library).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFile {
    /// `src/base64_ffi/_native.py`.
    pub path: String,
    /// The bytes to write.
    pub content: Vec<u8>,
    /// Mode 0755 rather than 0644 on Unix.
    pub executable: bool,
}

#[derive(Serialize)]
struct NativeModel<'a> {
    file_name: &'a str,
    platform_tag: &'a str,
    summary: &'a str,
}

#[derive(Serialize)]
struct Model<'a> {
    tool_version: &'static str,
    package: &'a str,
    dist: &'a str,
    version: &'a str,
    description: &'a str,
    library_name: &'a str,
    env_var: &'a str,
    search_paths: Vec<String>,
    linux_file: String,
    macos_file: String,
    windows_file: String,
    classifiers: Vec<&'static str>,
    package_dir: String,
    sdist_files: Vec<&'static str>,
    native: Option<NativeModel<'a>>,
    wheel_tag: String,
    wheel_file: String,
    library_path: String,
    api_functions: Vec<String>,
}

/// A TOML basic string literal.
fn toml_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python string literal.
fn py_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("toml", |s: String| toml_literal(&s));
    env.add_filter("py", |s: String| py_literal(&s));
    for (name, source) in [
        (
            "pyproject.toml.j2",
            include_str!("templates/pyproject.toml.j2"),
        ),
        ("README.md.j2", include_str!("templates/README.md.j2")),
        (
            "hatch_build.py.j2",
            include_str!("templates/hatch_build.py.j2"),
        ),
    ] {
        env.add_template(name, source)
            .expect("the bundled templates parse");
    }
    env
}

/// Every file of the project, sorted by path.
pub fn render(plan: &Plan) -> Vec<ProjectFile> {
    let package_dir = format!("src/{}", plan.package);
    let mut classifiers = vec!["Programming Language :: Python :: 3"];
    if plan.binary().is_some() {
        classifiers.push(plan.os.classifier());
    }
    classifiers.push("Typing :: Typed");
    let mut sdist_files = vec!["/README.md", "/src"];
    if plan.binary().is_some() {
        sdist_files.insert(0, "/hatch_build.py");
    }
    let model = Model {
        tool_version: env!("CARGO_PKG_VERSION"),
        package: &plan.package,
        dist: &plan.dist,
        version: &plan.version,
        description: &plan.description,
        library_name: &plan.source.library_name,
        env_var: &plan.source.env_var,
        search_paths: plan.source.search_paths.clone(),
        linux_file: Os::Linux.library_file_name(&plan.lib),
        macos_file: Os::MacOs.library_file_name(&plan.lib),
        windows_file: Os::Windows.library_file_name(&plan.lib),
        classifiers,
        package_dir: package_dir.clone(),
        sdist_files,
        native: plan.binary().map(|b| NativeModel {
            file_name: &b.file_name,
            platform_tag: &b.library.platform_tag,
            summary: &b.library.summary,
        }),
        wheel_tag: plan.wheel_tag(),
        wheel_file: plan.wheel_file_name(),
        library_path: plan
            .binary()
            .map(|b| format!("{package_dir}/{}", b.file_name))
            .unwrap_or_default(),
        api_functions: plan
            .source
            .api_functions
            .iter()
            .filter_map(|def| def.strip_prefix("def "))
            .map(|sig| format!("# api.{sig}"))
            .collect(),
    };
    let env = environment();
    let ctx = Value::from_serialize(&model);
    let render = |name: &str| {
        env.get_template(name)
            .and_then(|t| t.render(&ctx))
            .unwrap_or_else(|err| panic!("template {name} failed: {err:#}"))
            .into_bytes()
    };

    let mut files = vec![
        ProjectFile {
            path: "pyproject.toml".to_owned(),
            content: render("pyproject.toml.j2"),
            executable: false,
        },
        ProjectFile {
            path: "README.md".to_owned(),
            content: render("README.md.j2"),
            executable: false,
        },
    ];
    if plan.binary().is_some() {
        files.push(ProjectFile {
            path: "hatch_build.py".to_owned(),
            content: render("hatch_build.py.j2"),
            executable: false,
        });
    }
    for b in plan.native.iter().chain(plan.extension.iter()) {
        files.push(ProjectFile {
            path: format!("{package_dir}/{}", b.file_name),
            content: b.bytes.clone(),
            executable: true,
        });
    }
    for (rel, content) in &plan.source.files {
        files.push(ProjectFile {
            path: format!("{package_dir}/{rel}"),
            content: content.clone(),
            executable: false,
        });
    }
    if !plan.source.files.iter().any(|(rel, _)| rel == "py.typed") {
        files.push(ProjectFile {
            path: format!("{package_dir}/py.typed"),
            content: Vec::new(),
            executable: false,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape() {
        assert_eq!(toml_literal(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(toml_literal("tab\there"), r#""tab\u0009here""#);
        assert_eq!(py_literal(r#"x"y\z"#), r#""x\"y\\z""#);
        assert_eq!(py_literal("é\n"), r#""\u00e9\u000a""#);
    }
}
