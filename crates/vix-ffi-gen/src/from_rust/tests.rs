use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A crate in a temporary folder: `Cargo.toml` and the given files.
fn crate_with(cargo_extra: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cargo = format!(
        "[package]\nname = \"demo-lib\"\nversion = \"0.1.0\"\ndescription = \"A demo\"\n\
         {cargo_extra}"
    );
    std::fs::write(dir.path().join("Cargo.toml"), cargo).unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const VERSION: &str = "/// Demo version.\n#[vix_ffi::export(prefix = \"demo_\")]\n\
                       pub const VERSION: &str = \"1\";\n";

fn errors(dir: &Path) -> String {
    match generate(dir) {
        Ok(g) => panic!("accepted:\n{}", g.manifest),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base64_example_is_in_step_with_its_source() {
    let dir = repo_root().join("examples/base64_ffi");
    let generated = generate(&dir).unwrap_or_else(|e| panic!("{e}"));
    for (path, text) in [
        (&generated.manifest_path, &generated.manifest),
        (&generated.header_path, &generated.header),
    ] {
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(
            &committed == text,
            "{} is not what `vix-ffi from-rust --crate examples/base64_ffi` writes; run it \
             and commit the result. It writes:\n{text}",
            path.display()
        );
    }
}

#[test]
fn the_blake3_example_is_in_step_with_its_source() {
    let dir = repo_root().join("examples/blake3_ffi");
    let generated = generate(&dir).unwrap_or_else(|e| panic!("{e}"));
    for (path, text) in [
        (&generated.manifest_path, &generated.manifest),
        (&generated.header_path, &generated.header),
    ] {
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(
            &committed == text,
            "{} is not what `vix-ffi from-rust --crate examples/blake3_ffi` writes; run it \
             and commit the result. It writes:\n{text}",
            path.display()
        );
    }
    let class = &generated.library.classes[0];
    assert_eq!(
        (class.name.as_str(), class.c_name.as_str()),
        ("blake3", "blake3_blake3")
    );
}

#[test]
fn modules_are_followed_as_rustc_does() {
    let lib = format!(
        "{VERSION}mod flat;\nmod nested;\n#[path = \"elsewhere/odd.rs\"]\nmod odd;\n\
         mod inline {{\n    mod deeper;\n}}\n#[cfg(test)]\nmod tests;\n"
    );
    let op = |name: &str| {
        format!(
            "/// The {name} operation.\n#[vix_ffi::export(prefix = \"demo_\")]\n\
             pub fn {name}(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {{ Ok(data.to_vec()) }}\n"
        )
    };
    let flat = format!("{}mod child;\n", op("flat_op"));
    let aliased = "use vix_ffi::{export as ex, Result};\n/// Aliased.\n#[ex(prefix = \"demo_\")]\n\
                   pub fn aliased(t: &str) -> Result<String> { Ok(t.into()) }\n\
                   #[cfg(test)]\n#[vix_ffi::export(prefix = \"other_\")]\n\
                   fn skipped(d: &[u8]) -> Result<Vec<u8>> { Ok(d.to_vec()) }\n";
    let dir = crate_with(
        "",
        &[
            ("src/lib.rs", &lib),
            ("src/flat.rs", &flat),
            ("src/flat/child.rs", &op("child_op")),
            ("src/nested/mod.rs", aliased),
            ("src/elsewhere/odd.rs", &op("odd_op")),
            ("src/inline/deeper.rs", &op("deeper_op")),
            ("src/tests.rs", "this is not even Rust"),
            ("src/unreached.rs", &op("unreached_op")),
        ],
    );
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = g
        .library
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "version",
            "flat_op",
            "child_op",
            "aliased",
            "odd_op",
            "deeper_op"
        ]
    );
    assert_eq!(g.library.name, "demo_lib");
    assert_eq!(g.library.python_package, "demo_lib");
    assert_eq!(
        g.header_path,
        dir.path().join("include").join("demo").join("demo_lib.h")
    );
    assert!(g
        .manifest
        .contains(r#"{ "name": "aliased", "calls": "aliased", "kind": "str_to_str" }"#));
}

#[test]
fn docs_and_kinds_reach_the_manifest_and_the_header() {
    let lib = format!(
        "{VERSION}use vix_ffi::{{Output, Result}};\n\
         /// Copies text.\n///\n/// Beware of `*/` and `/*` in comments.\n\
         #[vix_ffi::export(prefix = \"demo_\", size = |t| Ok(t.len()), kind = \"str_to_str\")]\n\
         pub fn copy(t: &str, out: &mut Output<'_>) -> Result<()> {{ out.push_str(t) }}\n\
         #[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn undocumented(t: &str) -> Result<Vec<u8>> {{ Ok(t.into()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let manifest = crate::manifest::parse(&g.manifest).unwrap();
    let kinds: Vec<&str> = manifest
        .python
        .api
        .iter()
        .map(|a| {
            a.kind
                .map_or("typed", crate::manifest::ApiKind::manifest_name)
        })
        .collect();
    assert_eq!(kinds, ["version", "str_to_str", "str_to_bytes"]);
    let docs: Vec<Option<&str>> = manifest
        .functions
        .iter()
        .map(|f| f.doc.as_deref())
        .collect();
    assert_eq!(docs, [Some("Demo version."), Some("Copies text."), None]);
    assert!(
        g.header
            .contains(" * Copies text.\n *\n * Beware of `* /` and `/ *` in comments.\n"),
        "{}",
        g.header
    );
    assert!(g
        .header
        .contains("VIX_FFI_API int VIX_FFI_CALL demo_undocumented("));
    assert!(g.header.contains(" * The input must be UTF-8 text"));
    assert!(g.header.contains("#ifndef DEMO_DEMO_LIB_H\n"));
}

#[test]
fn the_ascii_promise_reaches_the_manifest_and_the_header() {
    let lib = format!(
        "{VERSION}use vix_ffi::{{Output, Result}};\n\
         /// Hex digits.\n\
         #[vix_ffi::export(prefix = \"demo_\", size = |d| Ok(d.len() * 2), kind = \"bytes_to_str\", ascii)]\n\
         pub fn hexlify(d: &[u8], out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n\
         /// Shouts.\n\
         #[vix_ffi::export(prefix = \"demo_\", ascii)]\n\
         pub fn shout(t: &str) -> Result<String> {{ Ok(t.to_ascii_uppercase()) }}\n\
         /// Echoes.\n\
         #[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn echo(t: &str) -> Result<String> {{ Ok(t.into()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let api_lines: Vec<&str> = g
        .manifest
        .lines()
        .filter(|l| l.contains("\"calls\""))
        .collect();
    assert_eq!(
        api_lines,
        [
            r#"      { "name": "version", "calls": "version", "kind": "version" },"#,
            r#"      { "name": "hexlify", "calls": "hexlify", "kind": "bytes_to_str", "ascii": true },"#,
            r#"      { "name": "shout", "calls": "shout", "kind": "str_to_str", "ascii": true },"#,
            r#"      { "name": "echo", "calls": "echo", "kind": "str_to_str" }"#,
        ]
    );
    let manifest = crate::manifest::parse(&g.manifest).unwrap();
    let ascii: Vec<bool> = manifest.python.api.iter().map(|a| a.ascii).collect();
    assert_eq!(ascii, [false, true, true, false]);
    let comment = |symbol: &str| declaration_comment(&g.header, symbol);
    let ascii_note = "The result is ASCII text (every byte below 0x80), not NUL-terminated.";
    for symbol in ["demo_hexlify", "demo_shout"] {
        let text = comment(symbol);
        assert!(text.contains(ascii_note), "{text}");
        assert!(!text.contains("UTF-8 text, not"), "{text}");
    }
    let echo = comment("demo_echo");
    assert!(
        echo.contains("The result is UTF-8 text, not NUL-terminated.") && !echo.contains("ASCII"),
        "{echo}"
    );
}

#[test]
fn output_blocks_reach_the_manifest_and_the_header() {
    let lib = format!(
        "{VERSION}use vix_ffi::{{Output, Result}};\n\
         /// Hex digits.\n\
         #[vix_ffi::export(prefix = \"demo_\", output_blocks = (1, 2), kind = \"bytes_to_str\", ascii)]\n\
         pub fn hexlify(d: &[u8], out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n\
         /// Quads.\n\
         #[vix_ffi::export(prefix = \"demo_\", output_blocks = (3, 4))]\n\
         pub fn quads(d: &[u8], out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n\
         /// One byte per four characters.\n\
         #[vix_ffi::export(prefix = \"demo_\", output_blocks = (4, 1), kind = \"str_to_str\")]\n\
         pub fn squeeze(t: &str, out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n\
         /// Copies.\n\
         #[vix_ffi::export(prefix = \"demo_\", output_blocks = (1, 1))]\n\
         pub fn copy(d: &[u8], out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n\
         /// Sized by hand.\n\
         #[vix_ffi::export(prefix = \"demo_\", size = |d| Ok(d.len()))]\n\
         pub fn by_hand(d: &[u8], out: &mut Output<'_>) -> Result<()> {{ Ok(()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let api_lines: Vec<&str> = g
        .manifest
        .lines()
        .filter(|l| l.contains("\"calls\""))
        .collect();
    assert_eq!(
        api_lines,
        [
            r#"      { "name": "version", "calls": "version", "kind": "version" },"#,
            r#"      { "name": "hexlify", "calls": "hexlify", "kind": "bytes_to_str", "ascii": true, "output_blocks": { "in": 1, "out": 2 } },"#,
            r#"      { "name": "quads", "calls": "quads", "kind": "bytes_to_bytes", "output_blocks": { "in": 3, "out": 4 } },"#,
            r#"      { "name": "squeeze", "calls": "squeeze", "kind": "str_to_str", "output_blocks": { "in": 4, "out": 1 } },"#,
            r#"      { "name": "copy", "calls": "copy", "kind": "bytes_to_bytes", "output_blocks": { "in": 1, "out": 1 } },"#,
            r#"      { "name": "by_hand", "calls": "by_hand", "kind": "bytes_to_bytes" }"#,
        ]
    );
    let manifest = crate::manifest::parse(&g.manifest).unwrap();
    let blocks: Vec<Option<(u32, u32)>> = manifest
        .python
        .api
        .iter()
        .map(|a| a.output_blocks.map(|b| (b.input, b.output)))
        .collect();
    assert_eq!(
        blocks,
        [
            None,
            Some((1, 2)),
            Some((3, 4)),
            Some((4, 1)),
            Some((1, 1)),
            None
        ]
    );
    let comment = |symbol: &str| declaration_comment(&g.header, symbol);
    let known_first = "The size of the result is known before any work is done";
    for (symbol, formula) in [
        ("demo_hexlify", "2 * in_len"),
        ("demo_quads", "4 * ceil(in_len / 3)"),
        ("demo_squeeze", "ceil(in_len / 4)"),
        ("demo_copy", "in_len"),
    ] {
        let text = comment(symbol);
        let note = format!("Every successful result is exactly {formula} bytes. {known_first}");
        assert!(text.contains(&note), "{note}\n{text}");
    }
    assert!(
        comment("demo_hexlify").contains("not NUL-terminated. Every successful result"),
        "{}",
        comment("demo_hexlify")
    );
    let by_hand = comment("demo_by_hand");
    assert!(
        !by_hand.contains("Every successful result") && by_hand.contains(known_first),
        "{by_hand}"
    );
}

#[test]
fn the_summary_is_the_first_paragraph_unwrapped() {
    assert_eq!(render::summary("One\ntwo.\n\nMore."), "One two.");
    assert_eq!(render::summary("Only."), "Only.");
}

#[test]
fn metadata_names_the_python_side() {
    let dir = crate_with(
        "[lib]\nname = \"demo_core\"\npath = \"rust/root.rs\"\n\
         [package.metadata.vix-ffi]\npython-package = \"demo_py\"\nenv-var = \"DEMO_PATH\"\n\
         search-paths = [\"../lib\"]\n",
        &[("rust/root.rs", VERSION)],
    );
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(g.manifest.starts_with(
        "{\n  \"library\": { \"name\": \"demo_core\", \"env_var\": \"DEMO_PATH\", \
         \"search_paths\": [\"../lib\"] },\n"
    ));
    assert!(g.manifest.contains("\"package\": \"demo_py\""));
    let bad = crate_with("[package.metadata.vix-ffi]\npython_package = \"x\"\n", &[]);
    assert!(errors(bad.path()).contains("unknown key `python_package`"));
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let lib = "/// V.\n#[vix_ffi::export(prefix = \"demo_\")]\npub const VERSION: &str = \"1\";\n\
               #[vix_ffi::export(prefix = \"other_\")]\n\
               pub fn ok(d: &[u8]) -> vix_ffi::Result<Vec<u8>> { Ok(d.to_vec()) }\n\
               #[vix_ffi::export(prefix = \"demo_\")]\n\
               pub fn bad(d: &[i8]) -> Vec<u8> { vec![] }\n\
               #[vix_ffi::export(prefix = \"demo_\")]\npub const AGAIN: &str = \"2\";\n";
    let dir = crate_with("", &[("src/lib.rs", lib)]);
    let lib_rs = dir.path().join("src").join("lib.rs").display().to_string();
    let message = errors(dir.path());
    let expected = [
        format!("{lib_rs}:7:15: unsupported parameter type `&[i8]`"),
        format!("{lib_rs}:7:25: `Vec<u8>` is not a `Result`"),
    ];
    for needle in expected {
        assert!(message.contains(&needle), "{needle}\n{message}");
    }
    // How the items fit together is checked once each of them is valid.
    let fixed = lib.replace("&[i8]) -> Vec<u8>", "&[u8]) -> vix_ffi::Result<Vec<u8>>");
    std::fs::write(dir.path().join("src/lib.rs"), fixed).unwrap();
    let message = errors(dir.path());
    let expected = [
        format!("{lib_rs}:5:8: prefix \"other_\" differs from \"demo_\" of `VERSION` ({lib_rs}:3)"),
        format!("{lib_rs}:9:11: a second version string: `VERSION` ({lib_rs}:3)"),
    ];
    for needle in expected {
        assert!(message.contains(&needle), "{needle}\n{message}");
    }
}

#[test]
fn a_library_needs_exports_and_a_version() {
    let none = crate_with("", &[("src/lib.rs", "pub fn f() {}\n")]);
    assert!(errors(none.path()).contains("no `#[vix_ffi::export]` item"));
    let op = "#[vix_ffi::export(prefix = \"demo_\")]\n\
              pub fn f(d: &[u8]) -> vix_ffi::Result<Vec<u8>> { Ok(d.to_vec()) }\n";
    let no_version = crate_with("", &[("src/lib.rs", op)]);
    assert!(errors(no_version.path())
        .contains("ABI v1 requires every library to export `demo_ffi_version`"));
    let missing = crate_with("", &[("src/lib.rs", "mod gone;\n")]);
    assert!(errors(missing.path()).contains("cannot read module file"));
    let syntax = crate_with("", &[("src/lib.rs", "fn (\n")]);
    assert!(errors(syntax.path()).contains("lib.rs:1:4: cannot parse Rust"));
}

#[test]
fn names_python_refuses_point_at_the_rust_item() {
    let lib = format!(
        "{VERSION}/// Shadows a builtin.\n#[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn len(d: &[u8]) -> vix_ffi::Result<Vec<u8>> {{ Ok(d.to_vec()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let message = errors(dir.path());
    assert!(message.contains("the manifest generated from"), "{message}");
    assert!(message.contains("(from `len` at "), "{message}");
}

/// The header of a crate with every kind of export compiles as C11 and C++17 with
/// warnings as errors, against the shipped ABI headers.
#[test]
fn generated_headers_compile_as_c_and_cxx() {
    let lib = format!(
        "{VERSION}use vix_ffi::{{Output, Result}};\n\
         /// Doc with a trigraph-looking ??/ and a backslash at the end \\\n\
         #[vix_ffi::export(prefix = \"demo_\", size = |t| Ok(t.len()))]\n\
         pub fn a(t: &[u8], out: &mut Output<'_>) -> Result<()> {{ out.extend_from_slice(t) }}\n\
         /// Text, é and all.\n#[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn b(t: &str) -> Result<String> {{ Ok(t.into()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let header = dir.path().join("demo_lib.h");
    std::fs::write(&header, &g.header).unwrap();
    let include = repo_root().join("include");
    for (compiler, std, ext) in [("cc", "-std=c11", "c"), ("c++", "-std=c++17", "cpp")] {
        let source = dir.path().join(format!("use.{ext}"));
        std::fs::write(
            &source,
            "#include \"demo_lib.h\"\n#include \"demo_lib.h\"\n\
             typedef int (*op)(const uint8_t *, size_t, uint8_t *, size_t, size_t *, vix_status *);\n\
             op demo_ops[2] = {demo_a, demo_b};\n\
             vix_str (*demo_version)(vix_status *) = demo_ffi_version;\n",
        )
        .unwrap();
        let out = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c", "-o"])
            .arg(dir.path().join(format!("use-{ext}.o")))
            .arg("-I")
            .arg(&include)
            .arg(&source)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
        assert!(
            out.status.success(),
            "{compiler} {std}:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            g.header
        );
    }
}

/// The comment above the declaration of `symbol` in `header`, its lines unwrapped.
fn declaration_comment(header: &str, symbol: &str) -> String {
    let end = header.find(&format!(" {symbol}(")).unwrap();
    let start = header[..end].rfind("/*").unwrap();
    let end = start + header[start..].find("*/").unwrap();
    header[start + 2..end]
        .lines()
        .map(|l| l.trim_start_matches(" *").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

const TYPED: &str = "use vix_ffi::{Output, Result};\n\
     /// The demo's errors.\n\
     #[derive(Debug, vix_ffi::LibraryError)]\n\
     pub enum DemoError {\n\
         /// `lo` is greater than `hi`.\n\
         ///\n\
         /// Only the summary reaches the manifest.\n\
         #[vix(code = 1000, base = \"ValueError\")]\n\
         Range { lo: f64, hi: f64 },\n\
         #[vix(code = 1001, name = \"TooLong\")]\n\
         TooLong(usize),\n\
     }\n\
     /// CRC-32 of `data`, continuing from `seed`.\n\
     #[vix_ffi::export(prefix = \"demo_\", default(seed = 0))]\n\
     pub fn crc32(data: &[u8], seed: u32) -> Result<u32> { Ok(seed) }\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn repeat(text: &str, times: u32) -> Result<String, DemoError> { Ok(text.repeat(times as usize)) }\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn clamp(x: f64, lo: f64, hi: f64) -> Result<f64, DemoError> { Ok(x) }\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn is_prime(n: u64) -> Result<bool> { Ok(n > 1) }\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn concat(a: &[u8], b: &[u8]) -> Result<Vec<u8>> { Ok([a, b].concat()) }\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn reset() -> Result<()> { Ok(()) }\n\
     #[vix_ffi::export(prefix = \"demo_\", default(name = \"anon\", level = 3, scale = 1.0, \
         loud = false, pad = b\"-\"), positional_only(name), positional(level), keyword_only(size, wide))]\n\
     pub fn describe(name: &str, level: i32, scale: f64, loud: bool, pad: &[u8], size: usize, \
         wide: i64) -> Result<String> { Ok(String::new()) }\n\
     #[vix_ffi::export(prefix = \"demo_\", output_blocks = (1, 2), ascii, default(upper = false))]\n\
     pub fn hexlify(data: &[u8], upper: bool, out: &mut Output<'_>) -> Result<()> { Ok(()) }\n\
     #[vix_ffi::export(prefix = \"demo_\", ascii)]\n\
     pub fn shout(text: &str) -> Result<String> { Ok(text.to_ascii_uppercase()) }\n";

#[test]
fn typed_signatures_reach_the_manifest_in_the_typed_form() {
    let dir = crate_with("", &[("src/lib.rs", &format!("{VERSION}{TYPED}"))]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let functions = [
        r#"    {
      "name": "crc32",
      "params": [
        { "name": "data", "type": "bytes" },
        { "name": "seed", "type": "uint32", "default": 0 }
      ],
      "returns": "uint32",
      "doc": "CRC-32 of `data`, continuing from `seed`."
    }"#,
        r#"    {
      "name": "repeat",
      "params": [
        { "name": "text", "type": "str" },
        { "name": "times", "type": "uint32" }
      ],
      "returns": "str"
    }"#,
        r#"      "returns": "double""#,
        r#"      "params": [
        { "name": "n", "type": "uint64" }
      ],
      "returns": "bool""#,
        r#"        { "name": "b", "type": "bytes" }
      ],
      "returns": "bytes""#,
        r#"    {
      "name": "reset",
      "params": [],
      "returns": "none"
    }"#,
        r#"      "params": [
        { "name": "name", "type": "str", "default": "anon", "positional_only": true },
        { "name": "level", "type": "int32", "default": 3, "keyword_only": false },
        { "name": "scale", "type": "double", "default": 1.0 },
        { "name": "loud", "type": "bool", "default": false },
        { "name": "pad", "type": "bytes", "default": "-" },
        { "name": "size", "type": "size_t", "keyword_only": true },
        { "name": "wide", "type": "int64", "keyword_only": true }
      ],
      "returns": "str""#,
        r#"      "params": [
        { "name": "data", "type": "bytes" },
        { "name": "upper", "type": "bool", "default": false }
      ],
      "returns": "str""#,
    ];
    for text in functions {
        assert!(g.manifest.contains(text), "{text}\n---\n{}", g.manifest);
    }
    let errors = r#"  "errors": [
    { "code": 1000, "name": "RangeError", "base": "ValueError", "doc": "`lo` is greater than `hi`." },
    { "code": 1001, "name": "TooLong" }
  ],"#;
    assert!(g.manifest.contains(errors), "{}", g.manifest);
    for api in [
        r#"{ "name": "crc32", "calls": "crc32" }"#,
        r#"{ "name": "hexlify", "calls": "hexlify", "ascii": true, "output_blocks": { "in": 1, "out": 2 } }"#,
        // One text input, a text output, no Python arguments: the v1.0 form.
        r#"{ "name": "shout", "calls": "shout", "kind": "str_to_str", "ascii": true }"#,
        r#"{ "name": "version", "calls": "version", "kind": "version" }"#,
    ] {
        assert!(g.manifest.contains(api), "{api}\n{}", g.manifest);
    }
    // The manifest is the parser's: the same signatures come back.
    let parsed = crate::manifest::parse(&g.manifest).unwrap();
    assert_eq!(parsed.functions.len(), 10);
}

#[test]
fn typed_declarations_come_from_the_signature() {
    let dir = crate_with("", &[("src/lib.rs", &format!("{VERSION}{TYPED}"))]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let h = &g.header;
    for declaration in [
        "VIX_FFI_API int VIX_FFI_CALL demo_crc32(const uint8_t *data_ptr, size_t data_len,\n\
         \x20                                       uint32_t seed,\n\
         \x20                                       uint32_t *out_value,\n\
         \x20                                       vix_status *out_status);",
        "VIX_FFI_API int VIX_FFI_CALL demo_reset(vix_status *out_status);",
        "VIX_FFI_API int VIX_FFI_CALL demo_concat(const uint8_t *a_ptr, size_t a_len,\n\
         \x20                                        const uint8_t *b_ptr, size_t b_len,\n\
         \x20                                        uint8_t *out_ptr, size_t out_cap, size_t *out_len,\n\
         \x20                                        vix_status *out_status);",
        "bool *out_value,",
        "#include <stdbool.h>\n",
    ] {
        assert!(h.contains(declaration), "{declaration}\n---\n{h}");
    }
    assert!(
        h.contains(
            "/*\n * RangeError: `lo` is greater than `hi`. (Python: RangeError and ValueError)\n \
         */\n#define DEMO_RANGE_ERROR 1000\n"
        ),
        "{h}"
    );
    assert!(h.contains("#define DEMO_TOO_LONG 1001\n"), "{h}");
    assert!(declaration_comment(h, "demo_describe").contains(
        "name_ptr must be UTF-8 text: other bytes are VIX_STATUS_INVALID_ARG. loud must be 0 or 1"
    ));
    assert!(
        declaration_comment(h, "demo_is_prime").contains("written to *out_value on success only")
    );
    let hex = declaration_comment(h, "demo_hexlify");
    assert!(hex.contains("ASCII text"), "{hex}");
    assert!(hex.contains("exactly 2 * data_len bytes"), "{hex}");
    assert!(!h.lines().any(|l| l.starts_with(" * *")), "{h}");
    assert!(hex.contains("known before any work"), "{hex}");
    assert!(declaration_comment(h, "demo_shout").contains("answered after it"));
    // Every declaration is the model's prototype.
    let parsed = crate::manifest::parse(&g.manifest).unwrap();
    assert!(!parsed.functions.is_empty());
}

#[test]
fn typed_headers_compile_as_c_and_cxx() {
    let dir = crate_with("", &[("src/lib.rs", &format!("{VERSION}{TYPED}"))]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("demo_lib.h"), &g.header).unwrap();
    let include = repo_root().join("include");
    for (compiler, std, ext) in [("cc", "-std=c11", "c"), ("c++", "-std=c++17", "cpp")] {
        let source = dir.path().join(format!("use.{ext}"));
        // Each pointer's type is the one the prototype must have.
        std::fs::write(
            &source,
            "#include \"demo_lib.h\"\n#include \"demo_lib.h\"\n\
             int (*demo_p1)(const uint8_t *, size_t, uint32_t, uint32_t *, vix_status *) = demo_crc32;\n\
             int (*demo_p2)(double, double, double, double *, vix_status *) = demo_clamp;\n\
             int (*demo_p3)(uint64_t, bool *, vix_status *) = demo_is_prime;\n\
             int (*demo_p4)(vix_status *) = demo_reset;\n\
             int (*demo_p5)(const uint8_t *, size_t, int32_t, double, bool, const uint8_t *, size_t, size_t, int64_t, uint8_t *, size_t, size_t *, vix_status *) = demo_describe;\n\
             int demo_codes[2] = {DEMO_RANGE_ERROR, DEMO_TOO_LONG};\n",
        )
        .unwrap();
        let out = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c", "-o"])
            .arg(dir.path().join(format!("use-{ext}.o")))
            .arg("-I")
            .arg(&include)
            .arg(&source)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
        assert!(
            out.status.success(),
            "{compiler} {std}:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            g.header
        );
    }
}

#[test]
fn library_errors_are_found_through_imports_and_checked_across_enums() {
    let lib = format!(
        "{VERSION}use vix_ffi::LibraryError as Codes;\n\
         #[derive(Debug, Codes)]\npub enum A {{ #[vix(code = 1000)] First }}\n\
         mod inner {{\n  #[derive(vix_ffi::LibraryError)]\n  pub enum B {{ #[vix(code = 1000)] Second }}\n}}\n\
         #[derive(Debug)]\npub enum NotOurs {{ X }}\n\
         #[vix_ffi::export(prefix = \"demo_\")]\npub fn f() -> vix_ffi::Result<()> {{ Ok(()) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let message = errors(dir.path());
    assert!(
        message.contains("status code 1000 is already the code of `A::First`"),
        "{message}"
    );
    let fixed = lib.replace("code = 1000)] Second", "code = 1001)] Second");
    let dir = crate_with("", &[("src/lib.rs", &fixed)]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(g.manifest.contains(
        "  \"errors\": [\n    { \"code\": 1000, \"name\": \"FirstError\" },\n    { \"code\": 1001, \"name\": \"SecondError\" }\n  ],"
    ), "{}", g.manifest);
    let bad = lib.replace("#[vix(code = 1000)] First", "#[vix(code = 10)] First");
    let dir = crate_with("", &[("src/lib.rs", &bad)]);
    let message = errors(dir.path());
    assert!(message.contains("lib.rs:6:"), "{message}");
    assert!(
        message.contains("status code 10 belongs to the ABI"),
        "{message}"
    );
}

#[test]
fn python_names_refused_by_the_manifest_point_at_the_rust_item() {
    let lib = format!(
        "{VERSION}#[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn f(r#lambda: u32) -> vix_ffi::Result<u32> {{ Ok(r#lambda) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let message = errors(dir.path());
    assert!(message.contains("lambda"), "{message}");
    assert!(message.contains("(from `f` at"), "{message}");
}

#[test]
fn a_crate_without_cdylib_is_warned_about() {
    let plain = crate_with("", &[("src/lib.rs", "")]);
    let info = cargo::read(plain.path()).unwrap();
    assert!(!info.cdylib);
    let warning = cargo::cdylib_warning(&info).unwrap();
    assert!(
        warning.contains("no \"cdylib\"") && warning.contains("libdemo_lib.so"),
        "{warning}"
    );
    let loadable = crate_with(
        "[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n",
        &[("src/lib.rs", "")],
    );
    let info = cargo::read(loadable.path()).unwrap();
    assert!(info.cdylib);
    assert_eq!(cargo::cdylib_warning(&info), None);
    let wrong = crate_with("[lib]\ncrate-type = \"cdylib\"\n", &[("src/lib.rs", "")]);
    assert!(cargo::read(wrong.path())
        .unwrap_err()
        .to_string()
        .contains("`crate-type` is not an array"));
}

const CLASSES: &str = "use vix_ffi::Result;\n\
     /// A hasher.\n\
     pub struct Hasher { s: u64 }\n\
     /// An incremental hash.\n\
     ///\n\
     /// More for C readers.\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     impl Hasher {\n\
         /// Bytes per digest.\n\
         pub const DIGEST_SIZE: usize = 8;\n\
         pub const NAME: &'static str = \"fnv\";\n\
         #[vix(name = \"AUTO\")]\n\
         pub const AUTO: i64 = -1;\n\
         /// A new hasher.\n\
         #[vix(default(key = None, seed = 0), keyword_only(key))]\n\
         pub fn new(key: Option<&[u8]>, seed: u64) -> Result<Self> { Ok(Hasher { s: seed }) }\n\
         /// Feeds data.\n\
         pub fn update(&mut self, data: &[u8]) -> Result<&mut Self> { Ok(self) }\n\
         pub fn digest(&self) -> Result<u64> { Ok(self.s) }\n\
         pub fn copy(&self) -> Result<Self> { Ok(Hasher { s: self.s }) }\n\
         pub fn absorb(&mut self, other: &Hasher, label: Option<&str>) -> Result<()> { Ok(()) }\n\
         pub fn summary(&self) -> Result<Summary> { Ok(Summary) }\n\
         fn helper(&self) {}\n\
     }\n\
     pub struct Summary;\n\
     #[vix_ffi::export(prefix = \"demo_\", name = \"HashSummary\")]\n\
     impl Summary {\n\
         pub fn merge(&self, h: Option<&Hasher>) -> Result<bool> { Ok(true) }\n\
     }\n\
     /// Uses no class.\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn plain(n: u32) -> Result<u32> { Ok(n) }\n\
     /// Objects in and out of a function.\n\
     #[vix_ffi::export(prefix = \"demo_\")]\n\
     pub fn pair(a: &Hasher, b: Option<&Summary>) -> Result<Hasher> { todo!() }\n";

#[test]
fn classes_reach_the_manifest_and_the_header() {
    let dir = crate_with("", &[("src/lib.rs", &format!("{VERSION}{CLASSES}"))]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let m = &g.manifest;
    for expected in [
        "\"name\": \"Hasher\",\n      \"c_name\": \"demo_hasher\",\n      \"doc\": \"An incremental hash.\"",
        "\"init\": {\n        \"params\": [\n          { \"name\": \"key\", \"type\": \"bytes\", \
         \"optional\": true, \"default\": null },\n          { \"name\": \"seed\", \"type\": \
         \"uint64\", \"default\": 0 }\n        ],\n        \"doc\": \"A new hasher.\"\n      }",
        "\"name\": \"update\",\n          \"params\": [\n            { \"name\": \"data\", \
         \"type\": \"bytes\" }\n          ],\n          \"returns\": \"self\",\n          \
         \"doc\": \"Feeds data.\"",
        "{ \"name\": \"copy\", \"params\": [], \"returns\": \"Hasher\" }",
        "{ \"name\": \"other\", \"type\": \"Hasher\" }",
        "{ \"name\": \"label\", \"type\": \"str\", \"optional\": true }",
        "{ \"name\": \"summary\", \"params\": [], \"returns\": \"HashSummary\" }",
        "\"constants\": { \"digest_size\": 8, \"name\": \"fnv\", \"AUTO\": -1 }",
        "\"name\": \"HashSummary\",\n      \"c_name\": \"demo_hash_summary\"",
        "{ \"name\": \"h\", \"type\": \"Hasher\", \"optional\": true }",
    ] {
        assert!(m.contains(expected), "{expected}\nnot in\n{m}");
    }
    assert!(!m.contains("helper"), "{m}");
    // The parser reads the classes back, with the symbols the attribute exports.
    let parsed = crate::manifest::parse(m).unwrap();
    assert_eq!(parsed.classes.len(), 2);
    let hasher = &parsed.classes[0];
    assert_eq!(hasher.init.as_ref().unwrap().symbol, "demo_hasher_new");
    let symbols: Vec<&str> = hasher.methods.iter().map(|m| m.symbol.as_str()).collect();
    assert_eq!(
        symbols,
        [
            "demo_hasher_update",
            "demo_hasher_digest",
            "demo_hasher_copy",
            "demo_hasher_absorb",
            "demo_hasher_summary"
        ]
    );
    assert_eq!(hasher.free_symbol, "demo_hasher_free");
    assert_eq!(parsed.classes[1].free_symbol, "demo_hash_summary_free");
    assert_eq!(
        parsed.functions.len(),
        3,
        "version, plain and pair, not the classes"
    );
    assert!(
        m.contains(
            "{ \"name\": \"a\", \"type\": \"Hasher\" },\n        { \"name\": \"b\", \"type\": \
             \"HashSummary\", \"optional\": true }\n      ],\n      \"returns\": \"Hasher\""
        ),
        "{m}"
    );
    let h = &g.header;
    for expected in [
        "typedef struct demo_hasher demo_hasher;",
        "typedef struct demo_hash_summary demo_hash_summary;",
        "VIX_FFI_API int VIX_FFI_CALL demo_hasher_new(const uint8_t *key_ptr, size_t key_len,",
        "demo_hasher **out_handle,",
        "VIX_FFI_API int VIX_FFI_CALL demo_hasher_update(demo_hasher *self,",
        "VIX_FFI_API int VIX_FFI_CALL demo_hasher_absorb(demo_hasher *self,",
        "demo_hasher *other,",
        "VIX_FFI_API int VIX_FFI_CALL demo_hasher_summary(demo_hasher *self,",
        "demo_hash_summary **out_handle,",
        "VIX_FFI_API void VIX_FFI_CALL demo_hasher_free(demo_hasher *self);",
        "VIX_FFI_API void VIX_FFI_CALL demo_hash_summary_free(demo_hash_summary *self);",
        "VIX_FFI_API int VIX_FFI_CALL demo_pair(demo_hasher *a,",
    ] {
        assert!(h.contains(expected), "{expected}\nnot in\n{h}");
    }
    let update = declaration_comment(h, "demo_hasher_update");
    assert!(
        update.contains("a NULL self is VIX_STATUS_INVALID_ARG"),
        "{update}"
    );
    assert!(update.contains("More for C readers") || !update.is_empty());
}

#[test]
fn class_headers_compile_as_c_and_cxx() {
    let dir = crate_with("", &[("src/lib.rs", &format!("{VERSION}{CLASSES}"))]);
    let g = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("demo_lib.h"), &g.header).unwrap();
    let include = repo_root().join("include");
    for (compiler, std, ext) in [("cc", "-std=c11", "c"), ("c++", "-std=c++17", "cpp")] {
        let source = dir.path().join(format!("use.{ext}"));
        std::fs::write(
            &source,
            "#include \"demo_lib.h\"\n#include \"demo_lib.h\"\n\
             int (*demo_p1)(const uint8_t *, size_t, uint64_t, demo_hasher **, vix_status *) = demo_hasher_new;\n\
             int (*demo_p2)(demo_hasher *, const uint8_t *, size_t, vix_status *) = demo_hasher_update;\n\
             int (*demo_p3)(demo_hasher *, demo_hasher *, const uint8_t *, size_t, vix_status *) = demo_hasher_absorb;\n\
             int (*demo_p4)(demo_hasher *, demo_hash_summary **, vix_status *) = demo_hasher_summary;\n\
             int (*demo_p5)(demo_hash_summary *, demo_hasher *, bool *, vix_status *) = demo_hash_summary_merge;\n\
             void (*demo_p6)(demo_hasher *) = demo_hasher_free;\n\
             int (*demo_p7)(demo_hasher *, demo_hash_summary *, demo_hasher **, vix_status *) = demo_pair;\n",
        )
        .unwrap();
        let out = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c", "-o"])
            .arg(dir.path().join(format!("use-{ext}.o")))
            .arg("-I")
            .arg(&include)
            .arg(&source)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
        assert!(
            out.status.success(),
            "{compiler} {std}:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            g.header
        );
    }
}

#[test]
fn a_class_that_is_not_exported_is_reported_at_the_method() {
    let lib = format!(
        "{VERSION}pub struct A;\npub struct B;\n\
         #[vix_ffi::export(prefix = \"demo_\")]\nimpl A {{\n\
         \x20   pub fn take(&self, b: &B) -> vix_ffi::Result<()> {{ Ok(()) }}\n}}\n\
         #[vix_ffi::export(prefix = \"demo_\")]\n\
         pub fn make() -> vix_ffi::Result<B> {{ Ok(B) }}\n"
    );
    let dir = crate_with("", &[("src/lib.rs", &lib)]);
    let e = errors(dir.path());
    assert!(
        e.contains("`A::take` uses `B`, which is not a class exported by this crate (A)"),
        "{e}"
    );
    assert!(e.contains("src/lib.rs:8:"), "{e}");
    assert!(
        e.contains("`make` uses `B`, which is not a class exported by this crate (A)"),
        "{e}"
    );
}
