//! Unit tests of the parser: defaults, and each rule on a manifest broken in one place.

use serde_json::json;

use super::*;
use crate::manifest::{ClassId, Default, ParamType, Passing};

fn op_args() -> Value {
    json!([
        {"name": "in_ptr", "type": "u8_ptr"},
        {"name": "in_len", "type": "size_t"},
        {"name": "out_ptr", "type": "u8_ptr"},
        {"name": "out_cap", "type": "size_t"},
        {"name": "out_len", "type": "size_t_ptr"},
        {"name": "out_status", "type": "vix_status_ptr"}
    ])
}

/// A valid manifest to break one rule at a time.
fn base() -> Value {
    json!({
        "library": {"name": "demo"},
        "symbol_prefix": "demo_",
        "functions": [
            {"name": "version", "symbol": "demo_ffi_version", "restype": "vix_str",
             "args": [{"name": "out_status", "type": "vix_status_ptr"}]},
            {"name": "encode", "args": op_args()}
        ],
        "python": {
            "package": "demo_ffi",
            "api": [
                {"name": "version", "calls": "version", "kind": "version"},
                {"name": "encode", "calls": "encode", "kind": "bytes_to_str"}
            ]
        }
    })
}

fn parse_value(value: &Value) -> Result<Manifest, Diagnostics> {
    parse(&serde_json::to_string_pretty(value).unwrap())
}

/// The messages (without positions) of a manifest that must be refused.
fn errors(value: &Value) -> Vec<String> {
    match parse_value(value) {
        Ok(manifest) => panic!("accepted: {manifest:#?}"),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
    }
}

/// Asserts exactly one diagnostic, at `path`, whose message contains every `part`.
#[track_caller]
fn assert_one(value: &Value, path: &str, parts: &[&str]) {
    let errors = errors(value);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let (found_path, message) = errors[0].split_once(": ").unwrap();
    assert_eq!(found_path, path, "{errors:#?}");
    for part in parts {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
}

#[test]
fn the_example_manifest_parses() {
    let text = include_str!("../../../../../examples/base64_ffi/bindings.json");
    let manifest = parse(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest.library.name, "base64_ffi");
    assert_eq!(manifest.python.package, "base64_ffi");
    assert_eq!(manifest.python.exports, vec![Export::Api]);
    assert_eq!(manifest.functions.len(), 3);
    assert_eq!(manifest.functions[1].symbol, "base64_encode");
    assert_eq!(manifest.python.api[2].calls, 2);
    assert_eq!(manifest.python.api[2].kind, Some(ApiKind::StrToBytes));
}

#[test]
fn defaults() {
    let manifest = parse_value(&json!({
        "library": {"name": "demo"},
        "functions": [{"name": "encode", "args": op_args()}, {"name": "noargs"}],
        "python": {"package": "demo_ffi"}
    }))
    .unwrap();
    assert_eq!(manifest.library.env_var, "VIX_LIB_PATH");
    assert!(manifest.library.search_paths.is_empty());
    assert_eq!(manifest.symbol_prefix, "");
    let encode = &manifest.functions[0];
    assert_eq!(encode.symbol, "encode");
    assert_eq!(encode.restype, CType::Int);
    assert_eq!(encode.doc, None);
    assert_eq!(encode.args[4].ty, CType::SizeTPtr);
    assert!(manifest.functions[1].args.is_empty());
    assert_eq!(manifest.python.exports, vec![Export::Native]);
    assert!(manifest.python.api.is_empty());
}

#[test]
fn explicit_values_and_schema_key() {
    let mut m = base();
    m["$schema"] = json!("https://example.invalid/bindings.schema.json");
    m["library"] =
        json!({"name": "demo", "env_var": "DEMO_LIB_DIR", "search_paths": ["lib", "/opt/demo"]});
    m["functions"][1]["doc"] = json!("Encode \"bytes\".\nSecond line.");
    m["python"]["exports"] = json!(["api", "_native"]);
    m["python"]["api"][1]["doc"] = json!("Doc.");
    let manifest = parse_value(&m).unwrap();
    assert_eq!(manifest.library.env_var, "DEMO_LIB_DIR");
    assert_eq!(manifest.library.search_paths, ["lib", "/opt/demo"]);
    assert_eq!(manifest.functions[1].symbol, "demo_encode");
    assert_eq!(
        manifest.functions[1].doc.as_deref(),
        Some("Encode \"bytes\".\nSecond line.")
    );
    assert_eq!(manifest.python.exports, vec![Export::Api, Export::Native]);
    assert_eq!(manifest.python.api[1].doc.as_deref(), Some("Doc."));
}

#[test]
fn every_operation_kind_and_pointer_type() {
    let mut m = base();
    m["functions"][1]["args"][0]["type"] = json!("char_ptr");
    m["functions"][1]["args"][2]["type"] = json!("void_ptr");
    m["functions"][1]["restype"] = json!("int32");
    m["python"]["api"] = json!([
        {"name": "a", "calls": "encode", "kind": "bytes_to_str"},
        {"name": "b", "calls": "encode", "kind": "str_to_bytes"},
        {"name": "c", "calls": "encode", "kind": "bytes_to_bytes"},
        {"name": "d", "calls": "encode", "kind": "str_to_str"},
        {"name": "e", "calls": "version", "kind": "version"}
    ]);
    let manifest = parse_value(&m).unwrap();
    let kinds: Vec<_> = manifest.python.api.iter().filter_map(|a| a.kind).collect();
    assert_eq!(kinds, ApiKind::ALL);
}

#[test]
fn byte_order_mark_is_skipped() {
    let text = format!("\u{feff}{}", serde_json::to_string(&base()).unwrap());
    assert!(parse(&text).is_ok());
}

#[test]
fn syntax_errors_have_line_and_column() {
    let err = parse("{\n  \"library\": {\"name\": \"x\",}\n}").unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err.0[0].line, Some(2));
    assert_eq!(err.0[0].column, Some(27));
    assert_eq!(
        err.to_string(),
        "line 2, column 27: invalid JSON: trailing comma"
    );
    let err = parse("  ").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 1: the document is empty (expected a JSON object)"
    );
    let err = parse("{\"a\": \"é\" x}").unwrap_err();
    assert_eq!(err.0[0].column, Some(11), "{err}");
}

#[test]
fn semantic_errors_have_positions() {
    let text = "{\n  \"library\": {\"name\": \"demo\"},\n  \"functions\": [{\"name\": \"len\"}],\n  \"python\": {\"package\": \"demo_ffi\"}\n}";
    let err = parse(text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "functions[0].name (line 3, column 26): \"len\" is a Python builtin, which the \
         generated code would shadow; use another name such as \"len_\""
    );
}

#[test]
fn root_must_be_an_object_with_required_keys() {
    assert_eq!(
        errors(&json!([])),
        ["(document): expected an object, found an array"]
    );
    assert_eq!(
        errors(&json!({})),
        [
            "(document): missing required key \"library\"",
            "(document): missing required key \"functions\"",
            "(document): missing required key \"python\"",
        ]
    );
}

#[test]
fn unknown_keys_list_allowed_keys() {
    let mut m = base();
    m["fucntions"] = json!([]);
    assert_one(
        &m,
        "fucntions",
        &[
            "unknown key \"fucntions\"",
            "allowed keys: $schema, library",
            "did you mean \"functions\"?",
        ],
    );
    let mut m = base();
    m["functions"][1]["arg"] = json!([]);
    assert_one(&m, "functions[1].arg", &["did you mean \"args\"?"]);
    let mut m = base();
    m["python"]["api"][0]["kidn"] = json!("x");
    assert_one(
        &m,
        "python.api[0].kidn",
        &["allowed keys: name, calls, kind, ascii, output_blocks, doc"],
    );
    let mut m = base();
    m["library"]["path"] = json!("x");
    assert_one(
        &m,
        "library.path",
        &["allowed keys: name, env_var, search_paths"],
    );
    let mut m = base();
    m["functions"][0]["args"][0]["ty"] = json!("x");
    assert_one(&m, "functions[0].args[0].ty", &["allowed keys: name, type"]);
}

#[test]
fn wrong_json_types() {
    let mut m = base();
    m["library"]["name"] = json!(3);
    assert_one(
        &m,
        "library.name",
        &["expected a string, found a number (3)"],
    );
    let mut m = base();
    m["functions"] = json!({});
    assert_one(&m, "functions", &["expected an array, found an object"]);
    let mut m = base();
    m["python"] = json!(null);
    assert_one(&m, "python", &["expected an object, found null"]);
    let mut m = base();
    m["$schema"] = json!(true);
    assert_one(
        &m,
        "$schema",
        &["expected a string, found a boolean (true)"],
    );
    let mut m = base();
    m["functions"][1]["doc"] = json!(["x"]);
    assert_one(
        &m,
        "functions[1].doc",
        &["expected a string, found an array"],
    );
    let mut m = base();
    m["python"]["api"][0]["doc"] = json!(1);
    assert_one(&m, "python.api[0].doc", &["expected a string"]);
}

#[test]
fn duplicate_json_keys() {
    let text = r#"{"library": {"name": "a", "name": "b"}, "functions": [{"name": "f"}],
                   "python": {"package": "p_ffi"}}"#;
    let err = parse(text).unwrap_err();
    assert_eq!(err.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "library.name");
    assert!(err.0[0].message.contains("duplicate key \"name\""));
    assert_eq!(err.0[0].column, Some(27));
}

#[test]
fn library_rules() {
    let mut m = base();
    m["library"]["name"] = json!("base-64");
    assert_one(&m, "library.name", &["\"base-64\" is not a C identifier"]);
    let mut m = base();
    m["library"]["name"] = json!("");
    assert_one(&m, "library.name", &["empty"]);
    let mut m = base();
    m["library"]["env_var"] = json!("MY-PATH");
    assert_one(&m, "library.env_var", &["not a C identifier"]);
    let mut m = base();
    m["library"]["search_paths"] = json!(["ok", "", "a\u{0}b", 4]);
    assert_eq!(
        errors(&m),
        [
            "library.search_paths[1]: the path is empty (expected a directory; relative \
             ones are relative to the package folder)",
            "library.search_paths[2]: \"a\\0b\" contains a NUL character, which no file \
             path can hold",
            "library.search_paths[3]: expected a string, found a number (4)",
        ]
    );
    let mut m = base();
    m["library"] = json!({});
    assert_one(&m, "library", &["missing required key \"name\""]);
}

#[test]
fn symbol_rules() {
    let mut m = base();
    m["symbol_prefix"] = json!("demo-");
    assert_one(
        &m,
        "symbol_prefix",
        &["\"demo-\" is not a valid symbol prefix"],
    );
    let mut m = base();
    m["functions"][1]["symbol"] = json!("encode");
    assert_one(
        &m,
        "functions[1].symbol",
        &[
            "does not start with symbol_prefix \"demo_\"",
            "such as \"demo_encode\"",
        ],
    );
    let mut m = base();
    m["functions"][1]["symbol"] = json!("demo encode");
    assert_one(&m, "functions[1].symbol", &["not a C identifier"]);
    let mut m = base();
    m["symbol_prefix"] = json!("");
    m["functions"][1]["symbol"] = json!("int");
    assert_one(&m, "functions[1].symbol", &["C or C++ keyword"]);
    let mut m = base();
    m["symbol_prefix"] = json!("");
    m["functions"][1]["name"] = json!("char");
    m["python"]["api"][1]["calls"] = json!("char");
    assert_one(
        &m,
        "functions[1].name",
        &["defaults to symbol_prefix + name = \"char\""],
    );
    // Without a prefix any C identifier is a valid symbol.
    let mut m = base();
    m["symbol_prefix"] = json!("");
    m["functions"][1]["symbol"] = json!("anything");
    assert!(parse_value(&m).is_ok());
}

#[test]
fn duplicate_names_and_symbols() {
    let mut m = base();
    m["functions"][0]["name"] = json!("encode");
    let errs = errors(&m);
    assert!(
        errs.contains(
            &"functions[1].name: function name \"encode\" is already used by functions[0]"
                .to_owned()
        ),
        "{errs:#?}"
    );
    // The defaulted symbol of the repeated name is not reported a second time.
    assert!(!errs.iter().any(|e| e.contains("symbol")), "{errs:#?}");

    let mut m = base();
    m["functions"][1]["symbol"] = json!("demo_ffi_version");
    assert_one(
        &m,
        "functions[1].symbol",
        &["symbol \"demo_ffi_version\" is already used by functions[0] (\"version\")"],
    );

    let mut m = base();
    m["functions"][1]["args"][1]["name"] = json!("in_ptr");
    assert_one(
        &m,
        "functions[1].args[1].name",
        &["argument name \"in_ptr\" is already used by args[0]"],
    );

    let mut m = base();
    m["python"]["api"][1]["name"] = json!("version");
    assert_one(
        &m,
        "python.api[1].name",
        &["API function name \"version\" is already used by python.api[0]"],
    );

    let mut m = base();
    m["python"]["exports"] = json!(["api", "api"]);
    assert_one(
        &m,
        "python.exports[1]",
        &["\"api\" is listed twice (first at python.exports[0])"],
    );
}

#[test]
fn naming_policy() {
    for (name, part) in [
        (
            "class",
            "is a Python keyword; use another name such as \"class_\"",
        ),
        ("len", "is a Python builtin"),
        ("_encode", "starts with \"_\""),
        (
            "ctypes",
            "the generated _native.py/api.py define themselves",
        ),
        ("api", "the generated _native.py/api.py define themselves"),
        ("en-code", "not an ASCII Python identifier"),
        ("naïve", "not an ASCII Python identifier"),
    ] {
        let mut m = base();
        m["functions"][1]["name"] = json!(name);
        m["python"]["api"][1]["calls"] = json!(name);
        m["functions"][1]["symbol"] = json!("demo_encode");
        assert_one(&m, "functions[1].name", &[part]);

        let mut m = base();
        m["python"]["api"][1]["name"] = json!(name);
        assert_one(&m, "python.api[1].name", &[part]);

        let mut m = base();
        m["functions"][1]["args"][3]["name"] = json!(name);
        assert_one(&m, "functions[1].args[3].name", &[part]);
    }
}

#[test]
fn package_rules() {
    for (package, part) in [
        (
            "base64",
            "standard-library module: with the package on PYTHONPATH",
        ),
        ("json", "use another name such as \"json_ffi\""),
        (
            "Email",
            "differs from the standard-library module \"email\" only in case",
        ),
        ("asyncore", "standard-library module"),
        ("__future__", "standard-library module"),
        ("test", "standard-library module"),
        ("_json", "standard-library module"),
        ("import", "Python keyword"),
        ("print", "Python builtin"),
        ("my-pkg", "not an ASCII Python identifier"),
        ("", "empty"),
    ] {
        let mut m = base();
        m["python"]["package"] = json!(package);
        assert_one(&m, "python.package", &[part]);
    }
    let mut m = base();
    m["python"] = json!({});
    assert_one(&m, "python", &["missing required key \"package\""]);
}

#[test]
fn types_and_kinds() {
    let mut m = base();
    m["functions"][1]["args"][3]["type"] = json!("sizet");
    assert_one(
        &m,
        "functions[1].args[3].type",
        &[
            "unknown type \"sizet\" (expected one of: void, int, int32,",
            "did you mean \"size_t\"?",
        ],
    );
    let mut m = base();
    m["functions"][0]["restype"] = json!("string");
    assert_one(&m, "functions[0].restype", &["unknown type \"string\""]);
    let mut m = base();
    m["python"]["api"][1]["kind"] = json!("bytes_to_string");
    assert_one(
        &m,
        "python.api[1].kind",
        &["unknown kind \"bytes_to_string\" (expected one of: bytes_to_str, str_to_bytes, bytes_to_bytes, str_to_str, version)", "did you mean \"bytes_to_str\"?"],
    );
    let mut m = base();
    m["functions"][1]["args"][0]["type"] = json!("void");
    assert_one(
        &m,
        "functions[1].args[0].type",
        &["\"void\" is not an argument type"],
    );
    let mut m = base();
    m["python"]["exports"] = json!(["native"]);
    assert_one(
        &m,
        "python.exports[0]",
        &["unknown export \"native\"", "did you mean \"_native\"?"],
    );
}

#[test]
fn calls_must_name_a_function() {
    let mut m = base();
    m["python"]["api"][1]["calls"] = json!("encdoe");
    assert_one(
        &m,
        "python.api[1].calls",
        &["calls \"encdoe\", but no function has that name (functions: version, encode); did you mean \"encode\"?"],
    );
}

#[test]
fn functions_must_not_be_empty() {
    let mut m = base();
    m["functions"] = json!([]);
    m["python"]["api"] = json!([]);
    assert_one(&m, "functions", &["the list is empty"]);
}

#[test]
fn operation_signature() {
    let mut m = base();
    m["functions"][1]["args"][4]["type"] = json!("size_t");
    assert_one(
        &m,
        "functions[1].args[4].type",
        &[
            "argument \"out_len\" of \"encode\" is size_t, but python.api[1] (kind bytes_to_str) \
           calls it with the operation shape, which needs size_t_ptr here",
        ],
    );
    let mut m = base();
    m["functions"][1]["args"][0]["type"] = json!("size_t");
    assert_one(
        &m,
        "functions[1].args[0].type",
        &["which needs u8_ptr, char_ptr or void_ptr here"],
    );
    let mut m = base();
    m["functions"][1]["restype"] = json!("void");
    assert_one(
        &m,
        "functions[1].restype",
        &["\"encode\" returns void, but python.api[1] (kind bytes_to_str) calls it with the operation shape, which needs int or int32 here"],
    );
    let mut m = base();
    m["functions"][1]["args"].as_array_mut().unwrap().pop();
    assert_one(
        &m,
        "functions[1].args",
        &[
            "\"encode\" has 5 arguments, but",
            "which needs 6: (in_ptr: u8_ptr|char_ptr|void_ptr, in_len: size_t,",
        ],
    );
    // Two kinds over one function: reported once.
    let mut m = base();
    m["functions"][1]["args"][4]["type"] = json!("size_t");
    m["python"]["api"][0] = json!({"name": "encode2", "calls": "encode", "kind": "str_to_str"});
    assert_eq!(errors(&m).len(), 1, "{:#?}", errors(&m));
}

#[test]
fn version_signature() {
    let mut m = base();
    m["functions"][0]["restype"] = json!("int");
    assert_one(
        &m,
        "functions[0].restype",
        &["\"version\" returns int, but python.api[0] (kind version) calls it with the version shape, which needs vix_str here"],
    );
    let mut m = base();
    m["functions"][0].as_object_mut().unwrap().remove("restype");
    assert_one(
        &m,
        "functions[0].restype",
        &["returns int (the default when restype is absent)"],
    );
    let mut m = base();
    m["functions"][0]["args"] = json!([]);
    assert_one(
        &m,
        "functions[0].args",
        &[
            "\"version\" has 0 arguments",
            "which needs 1: (out_status: vix_status_ptr)",
        ],
    );
}

#[test]
fn functions_without_api_entries_are_free_form() {
    let mut m = base();
    m["functions"][1]["args"][4]["type"] = json!("size_t");
    m["python"]["api"].as_array_mut().unwrap().pop();
    assert!(parse_value(&m).is_ok());
}

#[test]
fn all_errors_at_once_in_document_order() {
    let mut m = base();
    m["library"]["name"] = json!("a b");
    m["functions"][1]["args"][4]["type"] = json!("size_t");
    m["python"]["package"] = json!("json");
    m["python"]["api"][0]["kind"] = json!("versoin");
    let errs = errors(&m);
    let paths: Vec<_> = errs.iter().map(|e| e.split_once(": ").unwrap().0).collect();
    // to_string_pretty writes keys in sorted order: functions, library, python.
    assert_eq!(
        paths,
        [
            "functions[1].args[4].type",
            "library.name",
            "python.api[0].kind",
            "python.package",
        ]
    );
}

#[test]
fn output_blocks_are_read_and_give_the_declared_size() {
    let mut value = base();
    value["python"]["api"][1]["output_blocks"] = json!({"in": 3, "out": 4});
    let manifest = parse_value(&value).unwrap();
    let blocks = manifest.python.api[1].output_blocks.unwrap();
    assert_eq!(
        blocks,
        OutputBlocks {
            input: 3,
            output: 4
        }
    );
    assert_eq!(manifest.python.api[0].output_blocks, None);
    let sizes: Vec<_> = [0, 1, 2, 3, 4, 50_000].map(|n| blocks.size(n)).into();
    let expected = [0, 4, 4, 4, 8, 66_668].map(Some);
    assert_eq!(sizes, expected);
    let widest = OutputBlocks {
        input: 1,
        output: u32::MAX,
    };
    assert_eq!(widest.size(u64::MAX), None);
    assert_eq!(widest.size(1 << 31), Some((1 << 31) * u64::from(u32::MAX)));
}

#[test]
fn output_blocks_are_refused_where_they_do_not_apply() {
    let mut value = base();
    value["python"]["api"][0]["output_blocks"] = json!({"in": 1, "out": 1});
    assert_one(
        &value,
        "python.api[0].output_blocks",
        &["operation's output", "kind \"version\""],
    );
    let mut value = base();
    value["python"]["api"][1]["output_blocks"] = json!({"in": 0, "out": 4});
    assert_one(
        &value,
        "python.api[1].output_blocks.in",
        &["input bytes per block", "found a number (0)"],
    );
}

// --- typed signatures (ABI v1.1) ---

/// `base()` with one more function, typed, and an api entry calling it.
fn with_typed(function: Value, api: Value) -> Value {
    let mut m = base();
    m["functions"].as_array_mut().unwrap().push(function);
    m["python"]["api"].as_array_mut().unwrap().push(api);
    m
}

#[test]
fn a_typed_function_derives_its_c_arguments() {
    let m = with_typed(
        json!({"name": "crc", "params": [
            {"name": "flag", "type": "bool", "positional_only": true},
            {"name": "data", "type": "bytes"},
            {"name": "seed", "type": "uint32", "default": 7},
            {"name": "x", "type": "double", "default": 0.5, "keyword_only": false}
        ], "returns": "uint64"}),
        json!({"name": "crc", "calls": "crc"}),
    );
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    let f = &manifest.functions[2];
    assert_eq!(f.restype, CType::Int);
    let args: Vec<(&str, CType)> = f.args.iter().map(|a| (a.name.as_str(), a.ty)).collect();
    assert_eq!(
        args,
        [
            ("flag", CType::Bool),
            ("data_ptr", CType::U8Ptr),
            ("data_len", CType::SizeT),
            ("seed", CType::Uint32),
            ("x", CType::Double),
            ("out_value", CType::Uint64Ptr),
            ("out_status", CType::VixStatusPtr),
        ]
    );
    let sig = f.signature.as_ref().unwrap();
    let passing: Vec<Passing> = sig.params.iter().map(|p| p.passing).collect();
    assert_eq!(
        passing,
        [
            Passing::PositionalOnly,
            Passing::Either,
            Passing::KeywordOnly,
            Passing::Either,
        ]
    );
    assert_eq!(sig.params[2].default, Some(Default::Int(7)));
    assert_eq!(sig.params[3].default, Some(Default::Float(0.5)));
    let api = &manifest.python.api[2];
    assert_eq!(api.kind, None);
    assert_eq!(api.call, ApiCall::Typed(sig.clone()));
}

#[test]
fn returns_defaults_to_none_and_params_to_nothing() {
    let m = with_typed(
        json!({"name": "reset", "returns": "none"}),
        json!({"name": "reset", "calls": "reset"}),
    );
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    let sig = manifest.functions[2].signature.as_ref().unwrap();
    assert!(sig.params.is_empty());
    assert_eq!(sig.output, Output::None);
    assert_eq!(manifest.functions[2].args.len(), 1);

    let m = with_typed(
        json!({"name": "touch", "params": [{"name": "n", "type": "int64"}]}),
        json!({"name": "touch", "calls": "touch"}),
    );
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        manifest.functions[2].signature.as_ref().unwrap().output,
        Output::None
    );
}

#[test]
fn an_operation_kind_gets_its_v1_signature() {
    let manifest = parse_value(&base()).unwrap();
    assert_eq!(manifest.python.api[0].call, ApiCall::Version);
    let ApiCall::Typed(sig) = &manifest.python.api[1].call else {
        panic!("not typed");
    };
    assert!(sig.is_operation());
    assert_eq!(sig.params[0].name, "data");
    assert_eq!(sig.output, Output::Str);
    assert_eq!(manifest.functions[1].signature, None);
}

#[test]
fn library_errors_are_read_with_their_bases() {
    let mut m = base();
    m["errors"] = json!([
        {"code": 1000, "name": "LevelError", "base": "ValueError", "doc": "Bad level."},
        {"code": 2147483647, "name": "LastError"}
    ]);
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest.errors.len(), 2);
    assert_eq!(manifest.errors[0].base.as_deref(), Some("ValueError"));
    assert_eq!(manifest.errors[0].doc.as_deref(), Some("Bad level."));
    assert_eq!(manifest.errors[1].code, i32::MAX);
    assert_eq!(manifest.errors[1].base, None);

    m["errors"] = json!([{"code": 2147483648_i64, "name": "TooBig"}]);
    assert_one(&m, "errors[0].code", &["from 1000 to 2147483647"]);
    m["errors"] = json!([{"code": 1000, "name": "_Private"}]);
    assert_one(&m, "errors[0].name", &["starts with \"_\""]);
}

#[test]
fn a_kind_on_a_typed_function_is_refused_and_a_raw_one_needs_it() {
    let m = with_typed(
        json!({"name": "f", "params": [{"name": "data", "type": "bytes"}], "returns": "bytes"}),
        json!({"name": "f", "calls": "f", "kind": "bytes_to_bytes"}),
    );
    assert_one(&m, "python.api[2].kind", &["remove \"kind\""]);
    let mut m = base();
    m["python"]["api"][1]
        .as_object_mut()
        .unwrap()
        .remove("kind");
    assert_one(
        &m,
        "python.api[1]",
        &["missing required key \"kind\"", "\"params\""],
    );
}

#[test]
fn a_builtin_is_a_fine_parameter_name() {
    let m = with_typed(
        json!({"name": "f", "params": [{"name": "input", "type": "str"},
                                       {"name": "format", "type": "int32"}],
               "returns": "str"}),
        json!({"name": "f", "calls": "f"}),
    );
    parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
}

// --- classes (ABI v1.1 objects) ---

fn with_class(class: Value) -> Value {
    let mut m = base();
    m["classes"] = json!([class]);
    m
}

#[test]
fn a_class_gets_its_symbols_and_signatures() {
    let m = with_class(json!({
        "name": "HashState",
        "init": {"params": [{"name": "key", "type": "bytes", "optional": true, "default": null}]},
        "methods": [
            {"name": "update", "params": [{"name": "data", "type": "bytes"}], "returns": "self"},
            {"name": "copy", "returns": "HashState"},
            {"name": "absorb", "params": [{"name": "other", "type": "HashState"}]}
        ],
        "constants": {"name": "fnv", "size": 8, "ratio": 0.5, "fast": true}
    }));
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    let class = &manifest.classes[0];
    assert_eq!(class.c_name, "demo_hash_state");
    assert_eq!(class.free_symbol, "demo_hash_state_free");
    assert!(!class.thread_safe);
    let init = class.init.as_ref().unwrap();
    assert_eq!(init.symbol, "demo_hash_state_new");
    assert_eq!(init.signature.output, Output::Object(ClassId(0)));
    assert!(init.signature.params[0].optional);
    assert_eq!(init.signature.params[0].default, Some(Default::None));
    let symbols: Vec<&str> = class.methods.iter().map(|m| m.symbol.as_str()).collect();
    assert_eq!(
        symbols,
        [
            "demo_hash_state_update",
            "demo_hash_state_copy",
            "demo_hash_state_absorb"
        ]
    );
    assert_eq!(class.methods[0].signature.output, Output::This);
    assert_eq!(class.methods[0].signature.receiver, Some(ClassId(0)));
    assert_eq!(
        class.methods[1].signature.output,
        Output::Object(ClassId(0))
    );
    assert_eq!(
        class.methods[2].signature.params[0].ty,
        ParamType::Object(ClassId(0))
    );
    assert_eq!(
        class.methods[2]
            .signature
            .c_prototype_with(&class.methods[2].symbol, |_| class.c_name.clone()),
        "int demo_hash_state_absorb(demo_hash_state *self, demo_hash_state *other, \
         vix_status *out_status)"
    );
    assert_eq!(class.constants.len(), 4);
}

#[test]
fn constants_keep_their_document_order() {
    // Written as text: serde_json's Value keeps keys sorted, the manifest's order is
    // what the spans recorded.
    let text = r#"{
      "library": {"name": "demo"},
      "functions": [{"name": "f", "returns": "none"}],
      "classes": [{"name": "T", "constants": {"zeta": 1, "alpha": "a", "mid": true}}],
      "python": {"package": "demo_ffi"}
    }"#;
    let manifest = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = manifest.classes[0]
        .constants
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
}

#[test]
fn a_function_may_take_and_return_objects() {
    let mut m = with_class(json!({"name": "Thing", "c_name": "demo_thing"}));
    m["functions"].as_array_mut().unwrap().push(
        json!({"name": "make", "params": [{"name": "like", "type": "Thing",
                     "optional": true}], "returns": "Thing"}),
    );
    m["python"]["api"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "make", "calls": "make"}));
    let manifest = parse_value(&m).unwrap_or_else(|e| panic!("{e}"));
    let sig = manifest.functions[2].signature.as_ref().unwrap();
    assert_eq!(sig.output, Output::Object(ClassId(0)));
    let args: Vec<CType> = manifest.functions[2].args.iter().map(|a| a.ty).collect();
    assert_eq!(args, [CType::Handle, CType::HandlePtr, CType::VixStatusPtr]);
}

#[test]
fn class_mistakes_are_refused_where_they_are() {
    let m = with_class(json!({"name": "T", "methods": [{"name": "close"}]}));
    assert_one(
        &m,
        "classes[0].methods[0].name",
        &["defined by every generated class"],
    );
    let m = with_class(json!({"name": "T", "constants": {"list": [1]}}));
    assert_one(
        &m,
        "classes[0].constants.list",
        &["a string, a number or a boolean"],
    );
    let m = with_class(json!({"name": "T", "methods": [
        {"name": "f", "params": [{"name": "n", "type": "int32", "optional": true}]}]}));
    assert_one(
        &m,
        "classes[0].methods[0].params[0]",
        &["cannot be optional"],
    );
    let m = with_class(json!({"name": "T", "methods": [
        {"name": "f", "params": [{"name": "self", "type": "int32"}]}]}));
    assert_one(
        &m,
        "classes[0].methods[0].params[0].name",
        &["method's own object"],
    );
    let m = with_class(json!({"name": "bytes"}));
    assert_eq!(errors(&m).len(), 1, "{:?}", errors(&m));
    let mut m = with_class(json!({"name": "T"}));
    m["functions"][1] = json!({"name": "encode", "returns": "self"});
    m["python"]["api"][1] = json!({"name": "encode", "calls": "encode"});
    assert_one(&m, "functions[1].returns", &["a function has none"]);
    let m = with_class(json!({"name": "T", "methods": [
        {"name": "f", "params": [{"name": "x", "type": "int32", "default": null}]}]}));
    assert_one(
        &m,
        "classes[0].methods[0].params[0]",
        &["add \"optional\": true"],
    );
}
