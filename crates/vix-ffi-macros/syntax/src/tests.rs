use super::*;

fn analyze_src(attr: &str, item: &str) -> syn::Result<Export> {
    let args = Args::parse(attr.parse().unwrap())?;
    let item: Item = syn::parse_str(item).unwrap();
    analyze(&args, &item, Span::call_site())
}

fn error_of(attr: &str, item: &str) -> String {
    match analyze_src(attr, item) {
        Ok(_) => panic!("accepted: #[export({attr})] {item}"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn operation(attr: &str, item: &str) -> Operation {
    match analyze_src(attr, item) {
        Ok(Export::Operation(op)) => op,
        Ok(Export::Version(_)) => panic!("a version"),
        Ok(Export::Typed(_)) => panic!("a typed signature"),
        Ok(Export::Class(_)) => panic!("a class"),
        Err(e) => panic!("refused: {e}"),
    }
}

#[test]
fn kinds_follow_the_types() {
    let cases = [
        ("fn f(x: &[u8]) -> Result<Vec<u8>> {}", Kind::BytesToBytes),
        (
            "fn f(x: &[u8]) -> vix_ffi::Result<String> {}",
            Kind::BytesToStr,
        ),
        (
            "fn f(x: &str) -> Result<std::vec::Vec<u8>, Error> {}",
            Kind::StrToBytes,
        ),
        (
            "fn f(x: &'_ str) -> Result<String, vix_ffi::Error> {}",
            Kind::StrToStr,
        ),
    ];
    for (item, kind) in cases {
        let op = operation(r#"prefix = "p_""#, item);
        assert_eq!(op.kind, kind, "{item}");
        assert!(op.size.is_none());
    }
}

#[test]
fn sized_functions_take_the_writer_and_default_to_bytes() {
    let op = operation(
        r#"prefix = "p_", size = |x| Ok(x.len())"#,
        "fn f(x: &[u8], out: &mut vix_ffi::Output<'_>) -> Result<()> {}",
    );
    assert_eq!((op.shape, op.kind), (Shape::Sized, Kind::BytesToBytes));
    let op = operation(
        r#"prefix = "p_", size = n, kind = "bytes_to_str""#,
        "fn f(x: &[u8], out: &mut Output) -> Result<()> {}",
    );
    assert_eq!(op.kind, Kind::BytesToStr);
}

#[test]
fn symbols_carry_the_prefix() {
    let e = analyze_src(
        r#"prefix = "base64_""#,
        "fn encode(x: &[u8]) -> Result<String> {}",
    )
    .unwrap();
    assert_eq!(
        (e.name(), e.symbol()),
        ("encode".into(), "base64_encode".into())
    );
    let e = analyze_src(
        r#"prefix = "p_""#,
        "fn r#match(x: &[u8]) -> Result<String> {}",
    )
    .unwrap();
    assert_eq!((e.name(), e.symbol()), ("match".into(), "p_match".into()));
    let v = analyze_src(r#"prefix = "base64_""#, r#"pub const VERSION: &str = "1";"#).unwrap();
    assert_eq!(
        (v.name(), v.symbol()),
        ("version".into(), "base64_ffi_version".into())
    );
}

#[test]
fn misuse_is_explained() {
    let p = r#"prefix = "p_""#;
    let cases = [
        (
            "",
            "fn f(x: &[u8]) -> Result<String> {}",
            "missing `prefix`",
        ),
        (
            r#"prefix = "p""#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "ends with `_`",
        ),
        (
            r#"prefix = "1p_""#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "not starting with a digit",
        ),
        (
            r#"prefix = "p_", prefix = "q_""#,
            "fn f() {}",
            "given twice",
        ),
        (
            r#"prefix = "p_", colour = 1"#,
            "fn f() {}",
            "unknown argument `colour`",
        ),
        (
            r#"prefix = "p_", colour"#,
            "fn f() {}",
            "`ascii`, `default(name = value, ...)`",
        ),
        (p, "fn f(x: &[u8]) -> String {}", "is not a `Result`"),
        (p, "fn f(x: &[u8]) {}", "returns nothing"),
        (
            p,
            "fn f(x: &[u8]) -> Result<Vec<i32>> {}",
            "unsupported result type `Vec<i32>`",
        ),
        (
            p,
            "fn f(x: &[i8]) -> Result<String> {}",
            "unsupported parameter type",
        ),
        (
            p,
            "fn f(x: Vec<u8>) -> Result<String> {}",
            "unsupported parameter type",
        ),
        (
            p,
            "fn f(x: &mut [u8]) -> Result<String> {}",
            "unsupported parameter type",
        ),
        (
            p,
            "fn f() -> Result<Vec<i32>> {}",
            "unsupported result type `Vec<i32>`",
        ),
        (
            r#"prefix = "p_", size = n"#,
            "fn f(x: &[u8], out: &mut Output<'_>, y: u32) -> Result<()> {}",
            "is the last parameter",
        ),
        (
            p,
            "fn f<'a>(x: &'a [u8]) -> Result<String> {}",
            "cannot be generic",
        ),
        (
            p,
            "fn f<T>(x: &[u8]) -> Result<String> {}",
            "cannot be generic",
        ),
        (
            p,
            "async fn f(x: &[u8]) -> Result<String> {}",
            "cannot be `async`",
        ),
        (
            p,
            "unsafe fn f(x: &[u8]) -> Result<String> {}",
            "must be safe",
        ),
        (
            p,
            r#"extern "C" fn f(x: &[u8]) -> Result<String> {}"#,
            "plain Rust function",
        ),
        (p, "fn f(&self) -> Result<String> {}", "cannot take `self`"),
        (p, "struct S;", "applies to a function"),
        (p, "const V: u32 = 1;", "of type `&str`"),
        (
            r#"prefix = "p_", size = n"#,
            "const V: &str = \"1\";",
            "`size` applies to operations",
        ),
        (
            r#"prefix = "p_", size = n"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "writes into the caller's buffer",
        ),
        (
            p,
            "fn f(x: &[u8], out: &mut Output) -> Result<()> {}",
            "needs `size = <fn>`",
        ),
        (
            r#"prefix = "p_", size = n"#,
            "fn f(x: &[u8], out: &mut Output) -> Result<usize> {}",
            "unsupported output type `usize`",
        ),
        (
            r#"prefix = "p_", kind = "bytes_to_text""#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "unknown kind",
        ),
        (
            r#"prefix = "p_", kind = "bytes_to_str""#,
            "fn f(x: &str) -> Result<String> {}",
            "takes `&str`",
        ),
        (
            r#"prefix = "p_", kind = "str_to_str""#,
            "fn f(x: &[u8]) -> Result<Vec<u8>> {}",
            "need not be UTF-8",
        ),
    ];
    for (attr, item, needle) in cases {
        let message = error_of(attr, item);
        assert!(
            message.contains(needle),
            "#[export({attr})] {item}\n  {message}"
        );
    }
}

#[test]
fn types_are_shown_as_written() {
    let message = error_of(
        r#"prefix = "p_""#,
        "fn f(x: &'a mut [u8]) -> Result<Vec<(u8, i8)>> {}",
    );
    assert!(message.contains("`&'a mut [u8]`"), "{message}");
    assert!(message.contains("`Vec<(u8, i8)>`"), "{message}");
    let message = error_of(
        r#"prefix = "p_""#,
        "fn f(x: &[u8]) -> std::option::Option<String> {}",
    );
    assert!(
        message.contains("`std::option::Option<String>`"),
        "{message}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let message = error_of("", "async fn f<T>(x: u8) -> Vec<u8> {}");
    for needle in [
        "missing `prefix`",
        "`async`",
        "generic",
        "parameter type",
        "not a `Result`",
    ] {
        assert!(message.contains(needle), "{needle}: {message}");
    }
}

#[test]
fn a_text_input_may_have_a_bytes_signature_but_not_the_reverse() {
    let op = operation(
        r#"prefix = "p_", kind = "str_to_bytes""#,
        "fn f(x: &[u8]) -> Result<Vec<u8>> {}",
    );
    assert_eq!((op.input, op.kind), (Input::Bytes, Kind::StrToBytes));
    let op = operation(
        r#"prefix = "p_", kind = "bytes_to_bytes""#,
        "fn f(x: &[u8]) -> Result<String> {}",
    );
    assert_eq!(op.kind, Kind::BytesToBytes);
}

#[test]
fn ascii_is_a_flag_of_operations_that_return_text() {
    let cases = [
        (
            "ascii",
            "fn f(x: &[u8]) -> Result<String> {}",
            Kind::BytesToStr,
        ),
        (
            r#"kind = "str_to_str", ascii"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            Kind::StrToStr,
        ),
        (
            r#"size = n, kind = "bytes_to_str", ascii"#,
            "fn f(x: &[u8], out: &mut Output) -> Result<()> {}",
            Kind::BytesToStr,
        ),
        (
            "ascii, size = |t| Ok(t.len()), kind = \"str_to_str\"",
            "fn f(x: &str, out: &mut Output) -> Result<()> {}",
            Kind::StrToStr,
        ),
    ];
    for (attr, item, kind) in cases {
        let op = operation(&format!(r#"prefix = "p_", {attr}"#), item);
        assert!(op.ascii, "{attr}");
        assert_eq!(op.kind, kind, "{attr}");
    }
    let op = operation(r#"prefix = "p_""#, "fn f(x: &[u8]) -> Result<String> {}");
    assert!(!op.ascii);
}

#[test]
fn ascii_is_refused_where_nothing_returns_text() {
    let cases = [
        (
            r#"prefix = "p_", ascii"#,
            "const V: &str = \"1\";",
            "`ascii` applies to operations that return text into the caller's buffer, not to \
             a version string",
        ),
        (
            r#"prefix = "p_", ascii"#,
            "fn f(x: &[u8]) -> Result<Vec<u8>> {}",
            "not kind \"bytes_to_bytes\" of a function returning `Vec<u8>`: return `String`, \
             or drop `ascii`",
        ),
        (
            r#"prefix = "p_", ascii"#,
            "fn f(x: &str) -> Result<Vec<u8>> {}",
            "not kind \"str_to_bytes\"",
        ),
        (
            r#"prefix = "p_", size = n, ascii"#,
            "fn f(x: &[u8], out: &mut Output) -> Result<()> {}",
            "not kind \"bytes_to_bytes\", which a sized function has unless `kind` says \
             otherwise: add `kind = \"bytes_to_str\"`, or drop `ascii`",
        ),
        (
            r#"prefix = "p_", size = n, ascii"#,
            "fn f(x: &str, out: &mut Output) -> Result<()> {}",
            "add `kind = \"str_to_str\"`",
        ),
        (
            r#"prefix = "p_", size = n, kind = "str_to_bytes", ascii"#,
            "fn f(x: &[u8], out: &mut Output) -> Result<()> {}",
            "`ascii` promises ASCII output, which only kinds that return text have \
             (`bytes_to_str`, `str_to_str`), not kind \"str_to_bytes\": use a kind that \
             returns text, or drop `ascii`",
        ),
        (
            r#"prefix = "p_", kind = "bytes_to_bytes", ascii"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "use a kind that returns text",
        ),
        (
            r#"prefix = "p_", ascii, ascii"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "`ascii` is given twice",
        ),
        (
            r#"prefix = "p_", ascii = true"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "`ascii` is a flag: write `ascii` alone",
        ),
        (
            r#"prefix = "p_", ascii(yes)"#,
            "fn f(x: &[u8]) -> Result<String> {}",
            "`ascii` is a flag",
        ),
    ];
    for (attr, item, needle) in cases {
        let message = error_of(attr, item);
        assert!(
            message.contains(needle),
            "#[export({attr})] {item}\n  {message}"
        );
    }
    // An operation whose kind cannot be known gets no word about `ascii`.
    let message = error_of(r#"prefix = "p_", ascii"#, "fn f(x: &[u8]) -> Vec<u8> {}");
    assert!(!message.contains("ascii"), "{message}");
}

#[test]
fn output_blocks_make_a_sized_operation_without_a_size_expression() {
    let writer = "fn f(x: &[u8], out: &mut vix_ffi::Output<'_>) -> Result<()> {}";
    let cases = [
        ("output_blocks = (3, 4)", writer, (3, 4), Kind::BytesToBytes),
        (
            "output_blocks = (1, 2), kind = \"bytes_to_str\", ascii",
            writer,
            (1, 2),
            Kind::BytesToStr,
        ),
        (
            "kind = \"str_to_str\", output_blocks = ( 4294967295 , 1u32 )",
            "fn f(x: &str, out: &mut Output) -> Result<()> {}",
            (u32::MAX, 1),
            Kind::StrToStr,
        ),
        (
            "output_blocks = (1, 4294967295,)",
            writer,
            (1, u32::MAX),
            Kind::BytesToBytes,
        ),
    ];
    for (attr, item, (input, output), kind) in cases {
        let op = operation(&format!(r#"prefix = "p_", {attr}"#), item);
        assert_eq!((op.shape, op.kind), (Shape::Sized, kind), "{attr}");
        assert_eq!(
            op.output_blocks,
            Some(OutputBlocks { input, output }),
            "{attr}"
        );
        assert!(op.size.is_none(), "{attr}");
    }
    let op = operation(r#"prefix = "p_", size = n"#, writer);
    assert_eq!(op.output_blocks, None);
    assert!(op.size.is_some());
}

#[test]
fn output_blocks_misuse_is_explained() {
    let writer = "fn f(x: &[u8], out: &mut Output) -> Result<()> {}";
    let range = "a whole number from 1 to 4294967295";
    let cases = [
        (
            "output_blocks = (3, 4), size = n",
            writer,
            "`output_blocks` and `size` both give the output size: keep `output_blocks = (in, \
             out)` when it is `out * ceil(n / in)` bytes for an input of n bytes, or `size = \
             <fn>` otherwise"
                .to_owned(),
        ),
        (
            "output_blocks = (0, 4)",
            writer,
            format!(
                "`in` of `output_blocks = (in, out)`, the input bytes of a block, is {range}, \
                 not 0"
            ),
        ),
        (
            "output_blocks = (3, 4294967296)",
            writer,
            format!(
                "`out` of `output_blocks = (in, out)`, the output bytes of a block, is \
                 {range}, not 4294967296"
            ),
        ),
        (
            "output_blocks = (3, 99999999999999999999999)",
            writer,
            "not 99999999999999999999999".to_owned(),
        ),
        (
            "output_blocks = (n, 4)",
            writer,
            format!(
                "`in` of `output_blocks = (in, out)` must be an integer literal, {range} \
                 (`vix-ffi from-rust` reads it from the source), not `n`"
            ),
        ),
        (
            "output_blocks = (3, -4)",
            writer,
            "`out` of `output_blocks = (in, out)` must be an integer literal".to_owned(),
        ),
        (
            "output_blocks = (1.5, 2)",
            writer,
            "not `1.5`".to_owned(),
        ),
        (
            "output_blocks = (3u8, 4)",
            writer,
            format!("`in` of `output_blocks = (in, out)` is a plain whole number, {range}: write `3`, not `3u8`"),
        ),
        (
            "output_blocks = (3, 4, 5)",
            writer,
            "`output_blocks` takes exactly two values, `(in, out)`: the input bytes and the \
             output bytes of a block; found 3"
                .to_owned(),
        ),
        ("output_blocks = (3)", writer, "found one".to_owned()),
        ("output_blocks = (3,)", writer, "found one".to_owned()),
        ("output_blocks = ()", writer, "found none".to_owned()),
        (
            "output_blocks = 3",
            writer,
            "expected `(in, out)`, two whole numbers in parentheses as in `output_blocks = \
             (3, 4)`, not `3`"
                .to_owned(),
        ),
        ("output_blocks = [3, 4]", writer, "not `[3, 4]`".to_owned()),
        (
            "output_blocks = (3, 4), output_blocks = (3, 4)",
            writer,
            "`output_blocks` is given twice".to_owned(),
        ),
        (
            "output_blocks(3, 4)",
            writer,
            "write `output_blocks = (in, out)`: `out` bytes of output for every block of `in` \
             input bytes, as in `output_blocks = (3, 4)` for base64"
                .to_owned(),
        ),
        ("output_blocks", writer, "write `output_blocks = (in, out)`".to_owned()),
        (
            "output_blocks = (3, 4)",
            "const V: &str = \"1\";",
            "`output_blocks` gives the output size of an operation, not of a version string"
                .to_owned(),
        ),
        (
            "output_blocks = (3, 4)",
            "fn f(x: &[u8]) -> Result<Vec<u8>> {}",
            "with `output_blocks = ...` the function writes into the caller's buffer: its \
             signature is `fn(&[u8], &mut vix_ffi::Output<'_>) -> vix_ffi::Result<()>`; a \
             function returning `Vec<u8>` builds its output first, so it has no size before \
             the work"
                .to_owned(),
        ),
        (
            "output_blocks = (3, 4)",
            "fn f(x: &str) -> Result<String> {}",
            "a function returning `String` builds its output first".to_owned(),
        ),
        (
            "",
            writer,
            "needs `size = <fn>` or `output_blocks = (in, out)`".to_owned(),
        ),
        (
            "output_blocks = (3, 4), ascii",
            writer,
            "add `kind = \"bytes_to_str\"`, or drop `ascii`".to_owned(),
        ),
    ];
    for (attr, item, needle) in cases {
        let attr = format!(r#"prefix = "p_", {attr}"#);
        let message = error_of(&attr, item);
        assert!(
            message.contains(&needle),
            "#[export({attr})] {item}\n  {message}"
        );
    }
    // Both values are checked, and reported, at once.
    let message = error_of(r#"prefix = "p_", output_blocks = (0, x)"#, writer);
    assert!(
        message.contains("`in` of") && message.contains("`out` of"),
        "{message}"
    );
    // A wrong value in a wrong place: both are mistakes to fix, both are reported.
    let message = error_of(
        r#"prefix = "p_", output_blocks = (0, 4)"#,
        "fn f(x: &[u8]) -> Result<Vec<u8>> {}",
    );
    assert!(
        message.contains("not 0") && message.contains("`Vec<u8>`"),
        "{message}"
    );
}

#[test]
fn doc_text_is_read_as_rustdoc_does() {
    let item: ItemFn = syn::parse_str(
        "/// First line.\n///\n///     indented code\n/// Last `*/` line.  \n#[doc = \"\"]\nfn f() {}",
    )
    .unwrap();
    assert_eq!(
        doc_text(&item.attrs).unwrap().as_deref(),
        Some("First line.\n\n    indented code\nLast `*/` line.")
    );
    let none: ItemFn = syn::parse_str("#[doc(hidden)]\nfn f() {}").unwrap();
    assert_eq!(doc_text(&none.attrs).unwrap(), None);
    let computed: ItemFn = syn::parse_str("#[doc = include_str!(\"x\")]\nfn f() {}").unwrap();
    assert!(doc_text(&computed.attrs).is_err());
}
