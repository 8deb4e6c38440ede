//! The Rust mirrors in this crate have exactly the layout the C headers give their types,
//! as measured by a C (and a C++) compiler; the status codes and version macros agree;
//! and on 64-bit targets the sizes are the figures ABI v1 publishes.
//!
//! A probe program includes `<vix/ffi/vix_ffi.h>` and prints one tab-separated line per
//! fact:
//!
//! ```text
//! struct    <name>            <size>  <align>
//! field     <struct>.<field>  <offset> <size> <C type>
//! enum      <name>            <value>
//! macro     <name>            <value>
//! status_ok vix_status_ok()   <code>  <ptr is NULL: 1/0>  <len>
//! ```

mod common;

use std::collections::BTreeMap;
use std::mem::{align_of, offset_of, size_of};
use std::os::raw::{c_char, c_void};
use std::sync::OnceLock;

use common::{compile_and_run, temp_dir, Std};
use vix_ffi::{
    StatusCode, VixAllocFn, VixAllocator, VixBuf, VixFreeFn, VixMutBuf, VixStatus, VixStr,
    ABI_VERSION_MAJOR, ABI_VERSION_MINOR,
};

const PROBE: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <vix/ffi/vix_ffi.h>

#ifdef __cplusplus
#define PROBE_ALIGNOF(t) alignof(t)
static const char *kind_of(int32_t) { return "int32_t"; }
static const char *kind_of(size_t) { return "size_t"; }
static const char *kind_of(const char *) { return "const char *"; }
static const char *kind_of(const uint8_t *) { return "const uint8_t *"; }
static const char *kind_of(uint8_t *) { return "uint8_t *"; }
static const char *kind_of(void *) { return "void *"; }
static const char *kind_of(vix_alloc_fn) { return "vix_alloc_fn"; }
static const char *kind_of(vix_free_fn) { return "vix_free_fn"; }
static const char *kind_of(vix_str) { return "vix_str"; }
#define PROBE_KIND(x) kind_of(x)
#else
#define PROBE_ALIGNOF(t) _Alignof(t)
#define PROBE_KIND(x) _Generic((x),                \
    int32_t: "int32_t",                           \
    size_t: "size_t",                             \
    const char *: "const char *",                 \
    const uint8_t *: "const uint8_t *",           \
    uint8_t *: "uint8_t *",                       \
    void *: "void *",                             \
    vix_alloc_fn: "vix_alloc_fn",                 \
    vix_free_fn: "vix_free_fn",                   \
    vix_str: "vix_str",                           \
    default: "unexpected type")
#endif

static vix_str s_str;
static vix_buf s_buf;
static vix_mut_buf s_mut_buf;
static vix_status s_status;
static vix_allocator s_allocator;

#define STRUCT(t) printf("struct\t%s\t%zu\t%zu\n", #t, sizeof(t), PROBE_ALIGNOF(t))
#define FIELD(t, v, f) printf("field\t%s.%s\t%zu\t%zu\t%s\n", #t, #f, offsetof(t, f), \
                              sizeof(v.f), PROBE_KIND(v.f))
#define ENUM(e) printf("enum\t%s\t%ld\n", #e, 0L + (e))
#define MACRO(m) printf("macro\t%s\t%ld\n", #m, 0L + (m))

int main(void)
{
    vix_status ok = vix_status_ok();

    STRUCT(vix_str);
    FIELD(vix_str, s_str, ptr);
    FIELD(vix_str, s_str, len);
    STRUCT(vix_buf);
    FIELD(vix_buf, s_buf, ptr);
    FIELD(vix_buf, s_buf, len);
    STRUCT(vix_mut_buf);
    FIELD(vix_mut_buf, s_mut_buf, ptr);
    FIELD(vix_mut_buf, s_mut_buf, cap);
    STRUCT(vix_status);
    FIELD(vix_status, s_status, code);
    FIELD(vix_status, s_status, message);
    STRUCT(vix_allocator);
    FIELD(vix_allocator, s_allocator, alloc);
    FIELD(vix_allocator, s_allocator, free);
    FIELD(vix_allocator, s_allocator, user);

    ENUM(VIX_STATUS_OK);
    ENUM(VIX_STATUS_ERROR);
    ENUM(VIX_STATUS_INVALID_ARG);
    ENUM(VIX_STATUS_BUFFER_TOO_SMALL);
    ENUM(VIX_STATUS_NOT_SUPPORTED);

    MACRO(VIX_FFI_ABI_VERSION_MAJOR);
    MACRO(VIX_FFI_ABI_VERSION_MINOR);
    MACRO(VIX_STATUS_FIRST_LIBRARY_CODE);

    printf("status_ok\tvix_status_ok()\t%ld\t%d\t%zu\n", 0L + ok.code,
           ok.message.ptr == NULL ? 1 : 0, ok.message.len);
    return 0;
}
"#;

/// The probe's output as `"<kind> <name>" -> values`, measured once per language.
type Facts = BTreeMap<String, Vec<String>>;

fn parse(output: &str) -> Facts {
    output
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split('\t').collect();
            assert!(parts.len() >= 3, "unexpected probe line {line:?}");
            (
                format!("{} {}", parts[0], parts[1]),
                parts[2..].iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

fn facts(std: Std) -> &'static Facts {
    static C: OnceLock<Facts> = OnceLock::new();
    static CXX: OnceLock<Facts> = OnceLock::new();
    let cell = if std.is_cxx() { &CXX } else { &C };
    cell.get_or_init(|| {
        let dir = temp_dir();
        parse(&compile_and_run(std, dir.path(), "layout", PROBE))
    })
}

/// The size of a field's type, named by an accessor.
fn field_size<S, F>(_field: fn(&S) -> &F) -> usize {
    size_of::<F>()
}

struct Mirror {
    c_name: &'static str,
    size: usize,
    align: usize,
    /// C field name, Rust offset, Rust size, C type the header must give the field.
    fields: Vec<(&'static str, usize, usize, &'static str)>,
}

fn mirrors() -> Vec<Mirror> {
    vec![
        Mirror {
            c_name: "vix_str",
            size: size_of::<VixStr>(),
            align: align_of::<VixStr>(),
            fields: vec![
                (
                    "ptr",
                    offset_of!(VixStr, ptr),
                    field_size(|s: &VixStr| &s.ptr),
                    "const char *",
                ),
                (
                    "len",
                    offset_of!(VixStr, len),
                    field_size(|s: &VixStr| &s.len),
                    "size_t",
                ),
            ],
        },
        Mirror {
            c_name: "vix_buf",
            size: size_of::<VixBuf>(),
            align: align_of::<VixBuf>(),
            fields: vec![
                (
                    "ptr",
                    offset_of!(VixBuf, ptr),
                    field_size(|s: &VixBuf| &s.ptr),
                    "const uint8_t *",
                ),
                (
                    "len",
                    offset_of!(VixBuf, len),
                    field_size(|s: &VixBuf| &s.len),
                    "size_t",
                ),
            ],
        },
        Mirror {
            c_name: "vix_mut_buf",
            size: size_of::<VixMutBuf>(),
            align: align_of::<VixMutBuf>(),
            fields: vec![
                (
                    "ptr",
                    offset_of!(VixMutBuf, ptr),
                    field_size(|s: &VixMutBuf| &s.ptr),
                    "uint8_t *",
                ),
                (
                    "cap",
                    offset_of!(VixMutBuf, cap),
                    field_size(|s: &VixMutBuf| &s.cap),
                    "size_t",
                ),
            ],
        },
        Mirror {
            c_name: "vix_status",
            size: size_of::<VixStatus>(),
            align: align_of::<VixStatus>(),
            fields: vec![
                (
                    "code",
                    offset_of!(VixStatus, code),
                    field_size(|s: &VixStatus| &s.code),
                    "int32_t",
                ),
                (
                    "message",
                    offset_of!(VixStatus, message),
                    field_size(|s: &VixStatus| &s.message),
                    "vix_str",
                ),
            ],
        },
        Mirror {
            c_name: "vix_allocator",
            size: size_of::<VixAllocator>(),
            align: align_of::<VixAllocator>(),
            fields: vec![
                (
                    "alloc",
                    offset_of!(VixAllocator, alloc),
                    field_size(|s: &VixAllocator| &s.alloc),
                    "vix_alloc_fn",
                ),
                (
                    "free",
                    offset_of!(VixAllocator, free),
                    field_size(|s: &VixAllocator| &s.free),
                    "vix_free_fn",
                ),
                (
                    "user",
                    offset_of!(VixAllocator, user),
                    field_size(|s: &VixAllocator| &s.user),
                    "void *",
                ),
            ],
        },
    ]
}

/// Pins the Rust field types to the C types named in [`mirrors`]: this only compiles while
/// each mirror field has the Rust type that corresponds to its C type.
#[allow(dead_code)]
fn mirror_field_types_match_the_c_types(
    s: VixStr,
    b: VixBuf,
    m: VixMutBuf,
    st: VixStatus,
    a: VixAllocator,
) {
    let _: *const c_char = s.ptr;
    let _: usize = s.len;
    let _: *const u8 = b.ptr;
    let _: usize = b.len;
    let _: *mut u8 = m.ptr;
    let _: usize = m.cap;
    let _: i32 = st.code;
    let _: VixStr = st.message;
    let _: Option<unsafe extern "C" fn(usize, *mut c_void) -> *mut c_void> = a.alloc;
    let _: Option<unsafe extern "C" fn(*mut c_void, *mut c_void)> = a.free;
    let _: *mut c_void = a.user;
    let _: VixAllocFn = a.alloc;
    let _: VixFreeFn = a.free;
}

fn check_layouts(std: Std) {
    let facts = facts(std);
    let mut wrong = Vec::new();
    for mirror in mirrors() {
        let key = format!("struct {}", mirror.c_name);
        let expected = vec![mirror.size.to_string(), mirror.align.to_string()];
        match facts.get(&key) {
            Some(c) if *c == expected => {}
            other => wrong.push(format!("{key}: C says {other:?}, Rust says {expected:?}")),
        }
        for (field, offset, size, c_type) in &mirror.fields {
            let key = format!("field {}.{field}", mirror.c_name);
            let expected = vec![offset.to_string(), size.to_string(), (*c_type).to_owned()];
            match facts.get(&key) {
                Some(c) if *c == expected => {}
                other => wrong.push(format!(
                    "{key}: C says {other:?}, Rust (offset, size) and the header's type \
                     should be {expected:?}"
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{std:?}: the Rust mirrors disagree with the headers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn mirrors_have_the_c_layout() {
    check_layouts(Std::C11);
}

#[test]
fn mirrors_have_the_cxx_layout() {
    check_layouts(Std::Cxx17);
}

#[test]
fn c_and_cxx_agree_on_every_fact() {
    assert_eq!(facts(Std::C11), facts(Std::Cxx17));
}

#[test]
fn every_struct_and_field_was_measured() {
    let measured: Vec<&String> = facts(Std::C11)
        .keys()
        .filter(|k| k.starts_with("struct ") || k.starts_with("field "))
        .collect();
    let mirrored: usize = mirrors().iter().map(|m| 1 + m.fields.len()).sum();
    assert_eq!(
        measured.len(),
        mirrored,
        "probe and mirror tables differ: {measured:?}"
    );
}

#[test]
fn status_codes_match_the_c_enum() {
    let facts = facts(Std::C11);
    let codes = [
        StatusCode::Ok,
        StatusCode::Error,
        StatusCode::InvalidArg,
        StatusCode::BufferTooSmall,
        StatusCode::NotSupported,
    ];
    for code in codes {
        let key = format!("enum {}", code.c_name());
        assert_eq!(
            facts.get(&key),
            Some(&vec![(code as i32).to_string()]),
            "{key} vs StatusCode::{code:?}"
        );
        let value: i32 = facts[&key][0].parse().unwrap();
        assert_eq!(StatusCode::try_from(value), Ok(code));
    }
    let in_c = facts.keys().filter(|k| k.starts_with("enum ")).count();
    assert_eq!(in_c, codes.len());
    // The code travels in an `int32_t` field; the Rust enum has that representation.
    assert_eq!(size_of::<StatusCode>(), size_of::<i32>());
}

#[test]
fn abi_version_constants_match_the_config_macros() {
    let facts = facts(Std::C11);
    assert_eq!(
        facts.get("macro VIX_FFI_ABI_VERSION_MAJOR"),
        Some(&vec![ABI_VERSION_MAJOR.to_string()])
    );
    assert_eq!(
        facts.get("macro VIX_FFI_ABI_VERSION_MINOR"),
        Some(&vec![ABI_VERSION_MINOR.to_string()])
    );
    assert_eq!((ABI_VERSION_MAJOR, ABI_VERSION_MINOR), (1, 1));
}

#[test]
fn the_first_library_code_matches_the_status_header() {
    let facts = facts(Std::C11);
    assert_eq!(
        facts.get("macro VIX_STATUS_FIRST_LIBRARY_CODE"),
        Some(&vec![vix_ffi::FIRST_LIBRARY_CODE.to_string()])
    );
}

#[test]
fn vix_status_ok_matches_the_rust_constructor() {
    let facts = facts(Std::C11);
    let rust = VixStatus::ok();
    let expected = vec![
        rust.code.to_string(),
        u8::from(rust.message.ptr.is_null()).to_string(),
        rust.message.len.to_string(),
    ];
    assert_eq!(facts.get("status_ok vix_status_ok()"), Some(&expected));
    assert_eq!(expected, ["0", "1", "0"]);
}

/// The published ABI v1 figures hold on every 64-bit target (LP64 and LLP64 alike, since
/// the structs hold only pointers, `size_t` and `int32_t`).
#[cfg(target_pointer_width = "64")]
#[test]
fn sizes_are_the_published_lp64_figures() {
    for (name, size, align) in [
        ("VixStr", size_of::<VixStr>(), align_of::<VixStr>()),
        ("VixBuf", size_of::<VixBuf>(), align_of::<VixBuf>()),
        ("VixMutBuf", size_of::<VixMutBuf>(), align_of::<VixMutBuf>()),
    ] {
        assert_eq!((size, align), (16, 8), "{name}");
    }
    assert_eq!((size_of::<VixStatus>(), align_of::<VixStatus>()), (24, 8));
    assert_eq!(offset_of!(VixStatus, code), 0);
    assert_eq!(offset_of!(VixStatus, message), 8);
    assert_eq!(
        (size_of::<VixAllocator>(), align_of::<VixAllocator>()),
        (24, 8)
    );
    assert_eq!(
        (
            offset_of!(VixAllocator, alloc),
            offset_of!(VixAllocator, free),
            offset_of!(VixAllocator, user)
        ),
        (0, 8, 16)
    );

    let c = facts(Std::C11);
    let s = |k: &str| c.get(k).cloned().unwrap_or_default();
    for name in ["vix_str", "vix_buf", "vix_mut_buf"] {
        assert_eq!(s(&format!("struct {name}")), ["16", "8"], "{name}");
    }
    assert_eq!(s("struct vix_status"), ["24", "8"]);
    assert_eq!(s("field vix_status.code")[0], "0");
    assert_eq!(s("field vix_status.message")[0], "8");
    assert_eq!(s("struct vix_allocator"), ["24", "8"]);
}
