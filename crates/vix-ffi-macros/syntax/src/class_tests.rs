use super::*;
use vix_ffi_signature::{ClassId, Default as D, Output, ParamType, Scalar};

fn analyze_src(attr: &str, item: &str) -> syn::Result<Export> {
    let args = Args::parse(attr.parse().unwrap())?;
    let item: Item = syn::parse_str(item).unwrap();
    analyze(&args, &item, Span::call_site())
}

fn class(attr: &str, item: &str) -> Class {
    match analyze_src(&format!(r#"prefix = "p_"{attr}"#), item) {
        Ok(Export::Class(c)) => *c,
        Ok(_) => panic!("not a class: {item}"),
        Err(e) => panic!(
            "refused: {item}: {}",
            e.into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn error_of(item: &str) -> String {
    match analyze_src(r#"prefix = "p_""#, item) {
        Ok(_) => panic!("accepted: {item}"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

const HASHER: &str = r#"
/// A hasher.
impl Hasher {
    /// Digest bytes.
    pub const DIGEST_SIZE: usize = 32;
    pub const NAME: &str = "blake";
    #[vix(name = "AUTO")]
    pub const AUTO: i64 = -1;
    const PRIVATE: u8 = 1;
    #[vix(skip)]
    pub const SKIPPED: u8 = 1;
    /// Makes one.
    #[vix(default(data = b"", key = None), positional_only(data))]
    pub fn new(data: &[u8], key: Option<&[u8]>) -> Result<Self> { todo!() }
    pub fn update(&mut self, data: &[u8]) -> Result<&mut Self> { todo!() }
    #[vix(default(length = 32, seek = 0), positional(length))]
    pub fn digest(&self, length: usize, seek: u64) -> Result<Vec<u8>> { todo!() }
    pub fn copy(&self) -> Result<Self> { todo!() }
    pub fn reset(&mut self) -> Result<()> { todo!() }
    pub fn absorb(&mut self, other: &Hasher, more: Option<&Self>, label: Option<&str>) -> Result<()> { todo!() }
    pub fn report(&self) -> Result<crate::Report> { todo!() }
    fn helper(&self) {}
    #[vix(skip)]
    pub fn skipped() -> u8 { 0 }
}
"#;

#[test]
fn an_impl_becomes_a_class() {
    let c = class("", HASHER);
    assert_eq!((c.name.as_str(), c.c_name.as_str()), ("Hasher", "p_hasher"));
    assert_eq!(c.free_symbol(), "p_hasher_free");
    assert_eq!(c.doc.as_deref(), Some("A hasher."));
    let init = c.constructor.as_ref().unwrap();
    assert_eq!(
        (init.name.as_str(), init.symbol.as_str()),
        ("__init__", "p_hasher_new")
    );
    assert_eq!(init.receiver, None);
    let sig = &init.typed.signature;
    assert_eq!(sig.receiver, None);
    assert_eq!(sig.output, Output::Object(ClassId(0)));
    assert_eq!(sig.params[0].default, Some(D::Bytes(Vec::new())));
    assert_eq!(sig.params[0].passing, Passing::PositionalOnly);
    assert!(sig.params[1].optional);
    assert_eq!(sig.params[1].default, Some(D::None));
    let names: Vec<&str> = c.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["update", "digest", "copy", "reset", "absorb", "report"]
    );
    let m = |name: &str| c.methods.iter().find(|m| m.name == name).unwrap();
    assert_eq!(m("update").receiver, Some(Receiver::Exclusive));
    assert_eq!(m("update").symbol, "p_hasher_update");
    assert_eq!(m("update").typed.signature.output, Output::This);
    assert_eq!(m("update").typed.signature.receiver, Some(ClassId(0)));
    assert_eq!(m("digest").receiver, Some(Receiver::Shared));
    assert_eq!(m("digest").typed.signature.output, Output::Bytes);
    assert_eq!(
        m("digest").typed.signature.params[1].ty,
        ParamType::Scalar(Scalar::Uint64)
    );
    assert_eq!(m("copy").typed.signature.output, Output::Object(ClassId(0)));
    assert_eq!(m("reset").typed.signature.output, Output::None);
    let absorb = &m("absorb").typed.signature;
    assert_eq!(absorb.params[0].ty, ParamType::Object(ClassId(0)));
    assert!(!absorb.params[0].optional);
    assert_eq!(absorb.params[1].ty, ParamType::Object(ClassId(0)));
    assert!(absorb.params[1].optional);
    assert_eq!(
        (absorb.params[2].ty, absorb.params[2].optional),
        (ParamType::Str, true)
    );
    let report = m("report");
    assert_eq!(report.typed.signature.output, Output::Object(ClassId(1)));
    assert_eq!(report.typed.objects[1].name().as_deref(), Some("Report"));
    let constants: Vec<(&str, &D)> = c
        .constants
        .iter()
        .map(|k| (k.name.as_str(), &k.value))
        .collect();
    assert_eq!(
        constants,
        [
            ("digest_size", &D::Int(32)),
            ("name", &D::Str("blake".into())),
            ("AUTO", &D::Int(-1)),
        ]
    );
}

#[test]
fn the_class_name_and_the_constructor_can_be_chosen() {
    let c = class(
        r#", name = "blake3""#,
        "impl Hasher {\n\
         #[vix(constructor)] pub fn with_key(key: &[u8]) -> Result<Hasher> { todo!() }\n\
         pub fn new_one(&self) -> Result<Self> { todo!() }\n}",
    );
    assert_eq!((c.name.as_str(), c.c_name.as_str()), ("blake3", "p_blake3"));
    assert_eq!(c.constructor.unwrap().typed.ident, "with_key");
    let c = class(
        "",
        "impl HashState { pub fn get(&self) -> Result<u32> { Ok(1) } }",
    );
    assert_eq!(c.c_name, "p_hash_state");
    assert!(c.constructor.is_none());
    assert_eq!(snake_case("Sha256Hasher"), "sha256_hasher");
}

#[test]
fn misuse_is_refused_with_the_reason() {
    let e = error_of("impl H { pub fn consume(self) -> Result<()> { Ok(()) } }");
    assert!(e.contains("a method takes `&self` or `&mut self`"), "{e}");
    let e = error_of("impl H { pub fn make() -> Result<Self> { todo!() } }");
    assert!(
        e.contains("`make` is a `pub` associated function without `self`"),
        "{e}"
    );
    let e = error_of("impl H { pub fn new() -> Result<u32> { Ok(1) } }");
    assert!(
        e.contains("unsupported result type `u32`: a constructor returns `Result<Self>`"),
        "{e}"
    );
    let e = error_of("impl H { pub fn get(&self) -> u32 { 1 } }");
    assert!(e.contains("`u32` is not a `Result`"), "{e}");
    let e = error_of("impl H { pub fn get(&self, x: &mut H) -> Result<()> { Ok(()) } }");
    assert!(e.contains("unsupported parameter type `&mut H`"), "{e}");
    let e = error_of("impl H { pub fn get(&self, x: Option<u32>) -> Result<()> { Ok(()) } }");
    assert!(
        e.contains("unsupported parameter type `Option<u32>`"),
        "{e}"
    );
    let e = error_of("impl H { pub fn close(&self) -> Result<()> { Ok(()) } }");
    assert!(
        e.contains("`close` is defined by every generated Python class"),
        "{e}"
    );
    let e = error_of("impl H { pub fn free(&self) -> Result<()> { Ok(()) } }");
    assert!(
        e.contains("a method named `free` would be exported as `<class>_free`"),
        "{e}"
    );
    let e = error_of("impl H { pub fn new(&self) -> Result<()> { Ok(()) } }");
    assert!(e.contains("the symbol of the class's constructor"), "{e}");
    let e = error_of("impl H { pub const X: Vec<u8> = Vec::new(); }");
    assert!(e.contains("a class constant is a scalar"), "{e}");
    let e = error_of("impl H { pub const X: u32 = 1 + 1; }");
    assert!(e.contains("the value of the class constant `X`"), "{e}");
    let e = error_of("impl H { #[vix(name = \"digest\")] pub const DIGEST: u32 = 1; pub fn digest(&self) -> Result<u32> { Ok(1) } }");
    assert!(
        e.contains("`digest` is already a method or constant"),
        "{e}"
    );
    let e = error_of("impl Clone for H { fn clone(&self) -> H { H } }");
    assert!(e.contains("not a trait implementation"), "{e}");
    let e = error_of("impl<T> H<T> { }");
    assert!(e.contains("cannot be generic"), "{e}");
    let e = error_of(
        "impl H { #[vix(default(n = None))] pub fn f(&self, n: u32) -> Result<()> { Ok(()) } }",
    );
    assert!(
        e.contains("`None` is the default of an `Option<...>` parameter only"),
        "{e}"
    );
    let e = error_of("impl H { #[vix(size = f)] pub fn f(&self) -> Result<()> { Ok(()) } }");
    assert!(
        e.contains("with `size = ...` the method writes into the caller's buffer"),
        "{e}"
    );
    let e = error_of(
        "impl H { pub fn f(&self, n: usize, out: &mut Output<'_>) -> Result<()> { Ok(()) } }",
    );
    assert!(e.contains("needs `#[vix(size = |name, ...| ...)]`"), "{e}");
    let e = error_of(
        "impl H { #[vix(output_blocks = (1, 2))] pub fn f(&self) -> Result<()> { Ok(()) } }",
    );
    assert!(
        e.contains("`output_blocks` does not apply inside an exported class"),
        "{e}"
    );
    let e = error_of("impl H { pub fn f(&self) -> Result<&'static Self> { todo!() } }");
    assert!(e.contains("unsupported result type"), "{e}");
    let e = error_of(
        "impl H { #[vix(constructor)] pub fn a() -> Result<Self> { todo!() }\n\
         #[vix(constructor)] pub fn b() -> Result<Self> { todo!() } }",
    );
    assert!(e.contains("a class has one constructor"), "{e}");
    let e = error_of(
        "impl H { #[vix(default(x = 1))] pub fn f(&self, self_: u8) -> Result<()> { Ok(()) } }",
    );
    assert!(
        e.contains("`default` names `x`, which is not a parameter"),
        "{e}"
    );
}

#[test]
fn class_arguments_are_refused_on_functions() {
    let e = match analyze_src(
        r#"prefix = "p_", name = "X""#,
        "pub fn f(d: &[u8]) -> Result<Vec<u8>> { todo!() }",
    ) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("`name` applies to an exported class"), "{e}");
}

#[test]
fn functions_take_and_return_objects() {
    let t = match analyze_src(
        r#"prefix = "p_""#,
        "pub fn pair(a: &Hasher, b: Option<&crate::Report>, key: Option<&[u8]>, \
         again: &Hasher) -> Result<Hasher> { todo!() }",
    ) {
        Ok(Export::Typed(t)) => t,
        _ => panic!("not typed"),
    };
    let sig = &t.signature;
    assert_eq!(sig.params[0].ty, ParamType::Object(ClassId(0)));
    assert_eq!(sig.params[1].ty, ParamType::Object(ClassId(1)));
    assert!(sig.params[1].optional && sig.params[2].optional);
    assert_eq!(sig.params[2].ty, ParamType::Bytes);
    assert_eq!(sig.params[3].ty, ParamType::Object(ClassId(0)));
    assert_eq!(sig.output, Output::Object(ClassId(0)));
    let names: Vec<Option<String>> = t.objects.iter().map(ObjectType::name).collect();
    assert_eq!(names, [Some("Hasher".into()), Some("Report".into())]);
    // A primitive or a container is never taken for a class.
    let e = match analyze_src(
        r#"prefix = "p_""#,
        "pub fn f(x: &u8) -> Result<f32> { todo!() }",
    ) {
        Ok(_) => panic!("accepted"),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    assert!(e.contains("unsupported parameter type `&u8`"), "{e}");
    assert!(e.contains("unsupported result type `f32`"), "{e}");
}
