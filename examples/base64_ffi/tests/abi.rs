//! Calls the exported symbols the way a C caller would.

use std::ptr::{null, null_mut};

use base64_ffi::{base64_decode, base64_encode, base64_ffi_version};
use vix_ffi::{VixStatus, VixStr};

struct Call {
    rc: i32,
    code: i32,
    out: Vec<u8>,
    out_len: usize,
    message: String,
}

type Op = unsafe extern "C" fn(*const u8, usize, *mut u8, usize, *mut usize, *mut VixStatus) -> i32;

fn call(op: Op, input: &[u8], cap: usize) -> Call {
    let mut out = vec![0xEEu8; cap + 8];
    let mut out_len = usize::MAX;
    let mut st = VixStatus {
        code: -1,
        message: VixStr::EMPTY,
    };
    // SAFETY: valid buffers of the stated sizes.
    let rc = unsafe {
        op(
            input.as_ptr(),
            input.len(),
            if cap == 0 {
                null_mut()
            } else {
                out.as_mut_ptr()
            },
            cap,
            &mut out_len,
            &mut st,
        )
    };
    assert!(out[cap..].iter().all(|&b| b == 0xEE), "wrote past out_cap");
    // SAFETY: valid until the next call on this thread.
    let message = String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap();
    out.truncate(cap);
    Call {
        rc,
        code: st.code,
        out,
        out_len,
        message,
    }
}

fn encode(input: &[u8]) -> String {
    let q = call(base64_encode, input, 0);
    if input.is_empty() {
        assert_eq!((q.rc, q.out_len), (0, 0));
        return String::new();
    }
    assert_eq!((q.code, q.out_len), (3, input.len().div_ceil(3) * 4));
    let c = call(base64_encode, input, q.out_len);
    assert_eq!(c.code, 0, "{}", c.message);
    String::from_utf8(c.out[..c.out_len].to_vec()).unwrap()
}

fn decode(input: &[u8]) -> Result<Vec<u8>, (i32, String)> {
    let q = call(base64_decode, input, 0);
    if q.code != 3 && q.code != 0 {
        return Err((q.code, q.message));
    }
    let c = call(base64_decode, input, q.out_len);
    if c.code != 0 {
        return Err((c.code, c.message));
    }
    assert_eq!(c.out_len, q.out_len, "size query and decode disagree");
    Ok(c.out[..c.out_len].to_vec())
}

#[test]
fn rfc4648_vectors() {
    let vectors: [(&[u8], &str); 7] = [
        (b"", ""),
        (b"f", "Zg=="),
        (b"fo", "Zm8="),
        (b"foo", "Zm9v"),
        (b"foob", "Zm9vYg=="),
        (b"fooba", "Zm9vYmE="),
        (b"foobar", "Zm9vYmFy"),
    ];
    for (raw, text) in vectors {
        assert_eq!(encode(raw), text);
        assert_eq!(decode(text.as_bytes()).unwrap(), raw);
    }
}

#[test]
fn every_byte_value_round_trips_at_every_length() {
    let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    for n in 0..data.len() {
        assert_eq!(decode(encode(&data[..n]).as_bytes()).unwrap(), &data[..n]);
    }
}

#[test]
fn strict_decode_names_the_offset() {
    let cases: [(&[u8], &str); 9] = [
        (b"abc", "invalid base64 length 3"),
        (b"AAA!", "offset 3"),
        (b"AA=A", "misplaced padding '=' at offset 2"),
        (b"A===", "misplaced padding '=' at offset 1"),
        (b"AA==AAAA", "misplaced padding '=' at offset 2"),
        (b"AAA\n", "whitespace (byte 0x0a) at offset 3"),
        (b"QR==", "non-zero trailing bits"),
        (b"QUI=QUJD", "offset 3"),
        (b"AA\xc3\xa9", "byte 0xc3 at offset 2"),
    ];
    for (input, needle) in cases {
        let (code, message) = decode(input).unwrap_err();
        assert_eq!(code, 2, "{input:?}");
        assert!(message.contains(needle), "{input:?}: {message}");
    }
}

#[test]
fn one_short_reports_the_same_size_and_writes_nothing() {
    let c = call(base64_encode, b"hello", 7);
    assert_eq!((c.rc, c.code, c.out_len), (3, 3, 8));
    assert!(c.out.iter().all(|&b| b == 0xEE));
    let d = call(base64_decode, b"aGVsbG8=", 4);
    assert_eq!((d.code, d.out_len), (3, 5));
    assert!(d.out.iter().all(|&b| b == 0xEE));
}

#[test]
fn a_huge_length_is_a_size_answer_not_a_crash() {
    let mut out_len = 0;
    let mut st = VixStatus::ok();
    let byte = 0u8;
    // SAFETY: the size query never reads the input.
    let rc = unsafe { base64_encode(&byte, 1 << 62, null_mut(), 0, &mut out_len, &mut st) };
    assert_eq!((rc, st.code), (3, 3));
    assert_eq!(out_len, (1usize << 62).div_ceil(3) * 4);
    // SAFETY: as above.
    let rc = unsafe { base64_encode(&byte, usize::MAX / 2, null_mut(), 0, &mut out_len, &mut st) };
    assert_eq!((rc, st.code), (2, 2));
}

#[test]
fn null_arguments_are_invalid() {
    let mut out_len = 0;
    let mut st = VixStatus::ok();
    // SAFETY: deliberately null pointers, which the contract allows to be checked.
    let rc = unsafe { base64_encode(null(), 3, null_mut(), 0, &mut out_len, &mut st) };
    assert_eq!((rc, st.code), (2, 2));
    // SAFETY: as above.
    let rc = unsafe { base64_decode(b"AAAA".as_ptr(), 4, null_mut(), 0, null_mut(), &mut st) };
    assert_eq!((rc, st.code), (2, 2));
}

#[test]
fn version_is_static_utf8_and_ok() {
    let mut st = VixStatus {
        code: -1,
        message: VixStr::EMPTY,
    };
    // SAFETY: valid status pointer.
    let v = unsafe { base64_ffi_version(&mut st) };
    assert_eq!(st.code, 0);
    // SAFETY: a static string.
    let bytes = unsafe { v.as_bytes() };
    assert_eq!(bytes, env!("CARGO_PKG_VERSION").as_bytes());
}
