use super::*;
use vix_ffi_signature::{Default as D, Param, Signature as Sig};

fn analyze_src(attr: &str, item: &str) -> syn::Result<Export> {
    let args = Args::parse(attr.parse().unwrap())?;
    let item: Item = syn::parse_str(item).unwrap();
    analyze(&args, &item, Span::call_site())
}

fn typed(attr: &str, item: &str) -> Typed {
    match analyze_src(&format!(r#"prefix = "p_"{attr}"#), item) {
        Ok(Export::Typed(t)) => t,
        Ok(_) => panic!("not typed: {item}"),
        Err(e) => panic!(
            "refused: {item}: {}",
            e.into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn error_of(attr: &str, item: &str) -> String {
    match analyze_src(&format!(r#"prefix = "p_"{attr}"#), item) {
        Ok(_) => panic!("accepted: #[export({attr})] {item}"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn param(name: &str, ty: ParamType) -> Param {
    Param::new(name, ty)
}

#[test]
fn the_natural_signatures_become_typed_signatures() {
    let u32_ = ParamType::Scalar(Scalar::Uint32);
    let f64_ = ParamType::Scalar(Scalar::Double);
    let cases = [
        (
            "fn crc32(data: &[u8], seed: u32) -> Result<u32> {}",
            vec![param("data", ParamType::Bytes), param("seed", u32_)],
            Returns::Scalar(Scalar::Uint32),
        ),
        (
            "fn repeat(text: &str, times: u32) -> vix_ffi::Result<String> {}",
            vec![param("text", ParamType::Str), param("times", u32_)],
            Returns::Str,
        ),
        (
            "fn clamp(x: f64, lo: f64, hi: f64) -> Result<f64, MyError> {}",
            vec![param("x", f64_), param("lo", f64_), param("hi", f64_)],
            Returns::Scalar(Scalar::Double),
        ),
        (
            "fn is_prime(n: u64) -> Result<bool> {}",
            vec![param("n", ParamType::Scalar(Scalar::Uint64))],
            Returns::Scalar(Scalar::Bool),
        ),
        (
            "fn concat(a: &[u8], b: &'_ [u8]) -> Result<Vec<u8>> {}",
            vec![param("a", ParamType::Bytes), param("b", ParamType::Bytes)],
            Returns::Bytes,
        ),
        ("fn reset() -> Result<()> {}", vec![], Returns::None),
        (
            "fn r#type(r#in: i32, b: i64, c: usize) -> Result<usize> {}",
            vec![
                param("in", ParamType::Scalar(Scalar::Int32)),
                param("b", ParamType::Scalar(Scalar::Int64)),
                param("c", ParamType::Scalar(Scalar::Size)),
            ],
            Returns::Scalar(Scalar::Size),
        ),
        (
            "fn one(flag: bool) -> Result<i32> {}",
            vec![param("flag", ParamType::Scalar(Scalar::Bool))],
            Returns::Scalar(Scalar::Int32),
        ),
    ];
    for (item, params, output) in cases {
        let t = typed("", item);
        let expected = Sig {
            receiver: None,
            params,
            output,
        };
        assert_eq!(t.signature, expected, "{item}");
        assert!(!t.writer && !t.ascii);
    }
    let t = typed("", "fn r#type(r#in: i32) -> Result<()> {}");
    assert_eq!(Export::Typed(t.clone()).symbol(), "p_type");
    assert_eq!(t.rust_params[0].to_string(), "r#in");
}

#[test]
fn the_v1_shape_stays_an_operation_unless_python_arguments_are_given() {
    let plain = analyze_src(
        r#"prefix = "p_""#,
        "fn f(data: &[u8]) -> Result<Vec<u8>> {}",
    );
    assert!(matches!(plain, Ok(Export::Operation(_))));
    let t = typed(
        r#", default(data = b"x")"#,
        "fn f(data: &[u8]) -> Result<Vec<u8>> {}",
    );
    assert_eq!(t.signature.params[0].default, Some(D::Bytes(b"x".to_vec())));
    let Ok(Export::Operation(op)) = analyze_src(
        r#"prefix = "p_""#,
        "fn f(whatever: &str) -> Result<String> {}",
    ) else {
        panic!("an operation")
    };
    assert_eq!(op.signature(), Sig::operation("text", true, true));
}

#[test]
fn defaults_are_values_of_the_parameter_type() {
    let t = typed(
        r#", default(a = -3, b = 4_000_000_000, x = -0.5, flag = true, s = "hé", d = b"\x00", n = 18446744073709551615)"#,
        "fn f(a: i32, b: u32, x: f64, flag: bool, s: &str, d: &[u8], n: usize) -> Result<()> {}",
    );
    let defaults: Vec<_> = t
        .signature
        .params
        .iter()
        .map(|p| (p.default.clone(), p.passing))
        .collect();
    assert_eq!(
        defaults,
        vec![
            (Some(D::Int(-3)), Passing::KeywordOnly),
            (Some(D::Int(4_000_000_000)), Passing::KeywordOnly),
            (Some(D::Float(-0.5)), Passing::KeywordOnly),
            (Some(D::Bool(true)), Passing::KeywordOnly),
            (Some(D::Str("hé".into())), Passing::KeywordOnly),
            (Some(D::Bytes(vec![0])), Passing::KeywordOnly),
            (Some(D::Int(u64::MAX.into())), Passing::KeywordOnly),
        ]
    );
}

#[test]
fn passing_follows_the_lists() {
    let t = typed(
        ", default(name = \"anon\", level = 3, scale = 1.0), positional_only(name), \
         positional(level), keyword_only(x)",
        "fn describe(name: &str, level: i32, scale: f64, x: u32) -> Result<String> {}",
    );
    let passing: Vec<Passing> = t.signature.params.iter().map(|p| p.passing).collect();
    assert_eq!(
        passing,
        [
            Passing::PositionalOnly,
            Passing::Either,
            Passing::KeywordOnly,
            Passing::KeywordOnly
        ]
    );
    assert!(t.signature.problems().is_empty());
}

#[test]
fn wrong_defaults_are_refused_with_the_expected_type() {
    let cases = [
        ("default(seed = \"0\")", "fn f(seed: u32) -> Result<()> {}", "expected an integer literal from 0 to 4294967295, as the parameter is `u32`, found `\"0\"`"),
        ("default(seed = -1)", "fn f(seed: u32) -> Result<()> {}", "`-1` is out of range: expected an integer literal from 0 to 4294967295"),
        ("default(seed = 1u8)", "fn f(seed: u32) -> Result<()> {}", "the suffix of `u8`"),
        ("default(seed = 2147483648)", "fn f(seed: i32) -> Result<()> {}", "out of range"),
        ("default(x = 1)", "fn f(x: f64) -> Result<()> {}", "write `1.0`"),
        ("default(x = true)", "fn f(x: f64) -> Result<()> {}", "a floating-point literal"),
        ("default(b = 1)", "fn f(b: bool) -> Result<()> {}", "`true` or `false`"),
        ("default(s = b\"x\")", "fn f(s: &str) -> Result<()> {}", "a string literal"),
        ("default(d = b\"\\xff\")", "fn f(d: &[u8]) -> Result<()> {}", "byte 0xff at offset 0 is not UTF-8"),
        ("default(d = \"x\")", "fn f(d: &[u8]) -> Result<()> {}", "write `b\"x\"`"),
        ("default(n = SEED)", "fn f(n: u32) -> Result<()> {}", "a default is a literal"),
        ("default(nope = 1)", "fn f(n: u32) -> Result<()> {}", "`default` names `nope`, which is not a parameter of this function (`n`)"),
        ("keyword_only(n, n)", "fn f(n: u32) -> Result<()> {}", "`n` is listed twice in `keyword_only`"),
        ("keyword_only(n), positional_only(n)", "fn f(n: u32) -> Result<()> {}", "`n` is in both `keyword_only` and `positional_only`"),
        ("positional(n)", "fn f(n: u32) -> Result<()> {}", "`n` has no default, so it already can be"),
        ("default(a = 1), positional(a)", "fn f(a: u32, b: u32) -> Result<()> {}", "\"b\" has no default but follows \"a\""),
        ("positional_only(b)", "fn f(a: u32, b: u32) -> Result<()> {}", "\"b\" is positional-only but follows \"a\""),
        ("default(seed)", "fn f(seed: u32) -> Result<()> {}", "write `seed = <value>`"),
        ("default = 1", "fn f(seed: u32) -> Result<()> {}", "write `default(name = value, ...)`"),
    ];
    for (attr, item, needle) in cases {
        let message = error_of(&format!(", {attr}"), item);
        assert!(message.contains(needle), "{attr} {item}\n  {message}");
    }
}

#[test]
fn typed_misuse_is_explained() {
    let cases = [
        (
            "",
            "fn f(x: u8) -> Result<()> {}",
            "unsupported parameter type `u8`",
        ),
        (
            "",
            "fn f(x: &[u8], y: i16) -> Result<()> {}",
            "unsupported parameter type `i16`",
        ),
        (
            "",
            "fn f(x: u32) -> Result<f32> {}",
            "unsupported result type `f32`",
        ),
        ("", "fn f(x: u32) -> u32 {}", "`u32` is not a `Result`"),
        ("", "fn f(x: u32) {}", "returns nothing"),
        (
            "",
            "fn f((a, b): (u32, u32)) -> Result<()> {}",
            "write a plain name",
        ),
        (
            ", kind = \"bytes_to_str\"",
            "fn f(x: u32) -> Result<String> {}",
            "`kind` chooses the v1.0 form",
        ),
        (
            ", ascii",
            "fn f(x: u32) -> Result<Vec<u8>> {}",
            "`Vec<u8>`, which is bytes, not text",
        ),
        (
            ", ascii",
            "fn f(x: u32) -> Result<u32> {}",
            "this function returns `u32`",
        ),
        (
            ", output_blocks = (1, 2)",
            "fn f(x: &[u8], y: u32) -> Result<String> {}",
            "builds its output first",
        ),
        (
            ", size = n",
            "fn f(x: &[u8], y: u32) -> Result<Vec<u8>> {}",
            "writes into the caller's buffer",
        ),
        (
            "",
            "fn f(x: &[u8], y: u32, out: &mut Output<'_>) -> Result<()> {}",
            "needs `size = <fn>`",
        ),
        (
            ", size = n",
            "fn f(x: &[u8], y: &[u8], out: &mut Output<'_>) -> Result<()> {}",
            "`size` of `f` is not a closure naming its parameters",
        ),
        (
            // A closure naming parameters: any number of inputs.
            ", size = |y, x| Ok(x.len() + y.len())",
            "fn f(x: &[u8], y: &[u8], out: &mut Output<'_>) -> Result<()> {}",
            "",
        ),
        (
            ", output_blocks = (1, 2)",
            "fn f(x: &[u8], y: &[u8], out: &mut Output<'_>) -> Result<()> {}",
            "`output_blocks` sizes the output from the one `&[u8]` or `&str` input; `f` has 2",
        ),
        (
            ", size = n",
            "fn f(x: &[u8], y: u32, out: &mut Output<'_>) -> Result<u32> {}",
            "unsupported result type `u32`",
        ),
        ("", "fn f(a: u32, a_ptr: &[u8]) -> Result<()> {}", ""),
        (
            "",
            "fn f(out_status: u32) -> Result<()> {}",
            "is made twice",
        ),
    ];
    for (attr, item, needle) in cases {
        if needle.is_empty() {
            // Accepted (`a` and `a_ptr` make different C names; a size closure names
            // parameters).
            typed(attr, item);
            continue;
        }
        let message = error_of(attr, item);
        assert!(message.contains(needle), "{attr} {item}\n  {message}");
    }
}

#[test]
fn python_arguments_do_not_apply_to_the_version_string() {
    let message = error_of(
        ", default(x = 1), keyword_only(y)",
        "const V: &str = \"1\";",
    );
    assert!(
        message.contains("`default` applies to the parameters of a function"),
        "{message}"
    );
    assert!(message.contains("`keyword_only` applies"), "{message}");
}

#[test]
fn writers_with_scalars_are_typed_and_ascii_makes_them_text() {
    let t = typed(
        ", output_blocks = (1, 2), ascii",
        "fn hexlify(data: &[u8], upper: bool, out: &mut Output<'_>) -> Result<()> {}",
    );
    assert!(t.writer && t.ascii);
    assert_eq!(t.signature.output, Returns::Str);
    assert_eq!(t.signature.single_buffer(), Some(0));
    assert_eq!(
        t.output_blocks,
        Some(OutputBlocks {
            input: 1,
            output: 2
        })
    );
    let t = typed(
        ", size = |t| Ok(t.len())",
        "fn f(n: u32, text: &str, out: &mut Output<'_>) -> Result<()> {}",
    );
    assert_eq!(t.signature.output, Returns::Bytes);
    assert_eq!(t.signature.single_buffer(), Some(1));
    let t = typed(", ascii", "fn f(n: u32) -> Result<String> {}");
    assert!(t.ascii);
}

fn errors_of(item: &str) -> syn::Result<LibraryErrors> {
    analyze_errors(&syn::parse_str(item).unwrap())
}

fn error_enum_problem(item: &str) -> String {
    match errors_of(item) {
        Ok(_) => panic!("accepted: {item}"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn error_enums_give_codes_names_and_bases() {
    let errors = errors_of(
        r#"enum E {
            /// `lo` is greater than `hi`.
            #[vix(code = 1000, base = "ValueError")]
            Range { lo: f64, hi: f64 },
            #[vix(code = 1001, name = "TooLong")]
            TooLong(usize),
            #[vix(code = 2147483647)]
            ParseError,
        }"#,
    )
    .unwrap();
    assert_eq!(errors.ident, "E");
    let got: Vec<_> = errors
        .variants
        .iter()
        .map(|v| (v.code, v.name.as_str(), v.base.as_deref(), v.doc.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                1000,
                "RangeError",
                Some("ValueError"),
                Some("`lo` is greater than `hi`.")
            ),
            (1001, "TooLong", None, None),
            (i32::MAX, "ParseError", None, None),
        ]
    );
}

#[test]
fn error_enum_misuse_is_explained() {
    let cases = [
        ("struct S;", "derives for an enum"),
        ("enum E {}", "without variants"),
        (
            "enum E { A }",
            "`A` has no status code: write `#[vix(code = 1000)]`",
        ),
        (
            "enum E { #[vix(code = 999)] A }",
            "status code 999 belongs to the ABI",
        ),
        (
            "enum E { #[vix(code = -1)] A }",
            "a status code is an integer literal",
        ),
        ("enum E { #[vix(code = 2147483648)] A }", "not 2147483648"),
        ("enum E { #[vix(code = CODE)] A }", "integer literal"),
        ("enum E { #[vix(name = \"A\")] A }", "missing `code = ...`"),
        (
            "enum E { #[vix(code = 1000, colour = 1)] A }",
            "unknown key",
        ),
        (
            "enum E { #[vix(code = 1000)] A, #[vix(code = 1000)] B }",
            "code 1000 is already the code of `A`",
        ),
        (
            "enum E { #[vix(code = 1000)] A, #[vix(code = 1001, name = \"AError\")] B }",
            "already the class of `A`",
        ),
        (
            "enum E { #[vix(code = 1000, base = \"Exception\")] A }",
            "unknown base \"Exception\"",
        ),
        (
            "enum E { #[vix(code = 1000)] Value }",
            "would hide Python's own",
        ),
        (
            "enum E { #[vix(code = 1000, name = \"bad name\")] A }",
            "not a Python class name",
        ),
    ];
    for (item, needle) in cases {
        let message = error_enum_problem(item);
        assert!(message.contains(needle), "{item}\n  {message}");
    }
}
