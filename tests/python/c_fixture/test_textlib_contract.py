"""The C fixture itself keeps every rule of the ABI v1 operation shape, checked with
bare ctypes (no generated code), so that the acceptance suite tests the generator against
a library that is known to be right."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from pathlib import Path

import pytest

OPS = ["textlib_upper", "textlib_hex", "textlib_unhex", "textlib_reverse"]
SENTINEL = 0xA5


class VixStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    def text(self) -> str:
        if self.len == 0:
            return ""
        return ctypes.string_at(self.ptr, self.len).decode("utf-8")


class VixStatus(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int32), ("message", VixStr)]


@pytest.fixture(scope="module")
def lib(textlib_lib_dir: Path) -> ctypes.CDLL:
    handle = ctypes.CDLL(str(textlib_lib_dir / "libtextlib.so"))
    for name in OPS:
        fn = getattr(handle, name)
        fn.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(VixStatus),
        ]
        fn.restype = ctypes.c_int
    handle.textlib_version.argtypes = [ctypes.POINTER(VixStatus)]
    handle.textlib_version.restype = VixStr
    return handle


def call(
    fn: Callable[..., int],
    data: bytes | None,
    cap: int,
    *,
    in_len: int | None = None,
    null_out: bool = False,
    null_out_len: bool = False,
) -> tuple[int, int, int, str, bytes]:
    """Calls an operation; returns (rc, status code, out_len, message, output buffer)."""
    out = (ctypes.c_uint8 * max(cap, 1))(*([SENTINEL] * max(cap, 1)))
    out_len = ctypes.c_size_t(777)
    st = VixStatus(-9, VixStr(None, 0))
    in_buf = ctypes.create_string_buffer(data, len(data)) if data is not None else None
    rc = fn(
        in_buf,
        len(data or b"") if in_len is None else in_len,
        None if null_out else out,
        cap,
        None if null_out_len else ctypes.byref(out_len),
        ctypes.byref(st),
    )
    return rc, st.code, out_len.value, st.message.text(), bytes(out)


def test_version_is_static_and_writes_ok(lib: ctypes.CDLL) -> None:
    st = VixStatus(-9, VixStr(None, 0))
    v = lib.textlib_version(ctypes.byref(st))
    assert (v.text(), st.code, st.message.len, st.message.ptr) == ("1.4.2", 0, 0, None)
    assert lib.textlib_version(None).text() == "1.4.2"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("textlib_upper", b"abc\xc3\xa9", b"ABC\xc3\xa9"),
        ("textlib_hex", b"\x01\xfe", b"01fe"),
        ("textlib_unhex", b"01FE", b"\x01\xfe"),
        ("textlib_reverse", b"abc", b"cba"),
    ],
)
def test_sizing_protocol(
    lib: ctypes.CDLL, name: str, data: bytes, expected: bytes
) -> None:
    fn = getattr(lib, name)
    need = len(expected)
    # Size query.
    rc, code, out_len, message, _ = call(fn, data, 0, null_out=True)
    assert (rc, code, out_len) == (3, 3, need)
    assert message == f"output buffer too small: {need} bytes needed, out_cap is 0"
    # One short: refused, nothing written.
    rc, code, out_len, _, out = call(fn, data, need - 1)
    assert (rc, code, out_len) == (3, 3, need)
    assert set(out) == {SENTINEL}
    # Exact fit, nothing written past it.
    rc, code, out_len, message, out = call(fn, data, need + 3)
    assert (rc, code, out_len, message) == (0, 0, need, "")
    assert out[:need] == expected and set(out[need:]) == {SENTINEL}


@pytest.mark.parametrize("name", OPS)
def test_argument_checks(lib: ctypes.CDLL, name: str) -> None:
    fn = getattr(lib, name)
    rc, code, _, message, _ = call(fn, b"ab", 8, null_out_len=True)
    assert (rc, code, message) == (2, 2, "out_len is NULL")
    rc, code, out_len, message, _ = call(fn, None, 8, in_len=4)
    assert (rc, code, out_len, message) == (2, 2, 0, "in_ptr is NULL but in_len is 4")
    rc, code, out_len, message, _ = call(fn, b"ab", 8, null_out=True)
    assert (rc, code, out_len, message) == (2, 2, 0, "out_ptr is NULL but out_cap is 8")
    # Empty input with NULL pointers is an ordinary, successful call.
    rc, code, out_len, _, _ = call(fn, None, 0, in_len=0, null_out=True)
    assert (rc, code, out_len) == (0, 0, 0)


@pytest.mark.parametrize("name", OPS)
def test_a_null_status_is_allowed(lib: ctypes.CDLL, name: str) -> None:
    out_len = ctypes.c_size_t(0)
    rc = getattr(lib, name)(b"00", 2, None, 0, ctypes.byref(out_len), None)
    assert rc == 3 and out_len.value > 0


def test_overlapping_buffers_are_refused(lib: ctypes.CDLL) -> None:
    buf = (ctypes.c_uint8 * 16)(*b"0123456789abcdef")
    out_len = ctypes.c_size_t(0)
    st = VixStatus()
    addr = ctypes.addressof(buf)
    rc = lib.textlib_hex(addr, 4, addr + 2, 8, ctypes.byref(out_len), ctypes.byref(st))
    assert (rc, st.code, st.message.text()) == (
        2,
        2,
        "input and output buffers overlap",
    )


def test_errors_write_nothing(lib: ctypes.CDLL) -> None:
    rc, code, out_len, message, out = call(lib.textlib_unhex, b"00zz", 8)
    assert (rc, code, out_len) == (2, 2, 0)
    assert message == "invalid hex digit 'z' at offset 2"
    assert set(out) == {SENTINEL}
    rc, code, out_len, message, out = call(lib.textlib_upper, b"ab\xed\xa0\x80", 8)
    assert (rc, code, out_len) == (2, 2, 0)
    assert "offset 2" in message  # an encoded surrogate is not UTF-8
    assert set(out) == {SENTINEL}


@pytest.mark.parametrize(
    ("data", "bad_offset"),
    [
        (b"\xc0\x80", 0),  # overlong NUL
        (b"a\xe0\x80\x80", 1),  # overlong
        (b"ab\xf4\x90\x80\x80", 2),  # above U+10FFFF
        (b"\xe2\x82", 0),  # truncated
        (b"\x80", 0),  # lone continuation byte
        (b"ok\xf5", 2),
    ],
)
def test_upper_validates_utf8(lib: ctypes.CDLL, data: bytes, bad_offset: int) -> None:
    rc, code, _, message, _ = call(lib.textlib_upper, data, 16)
    assert (rc, code) == (2, 2)
    assert message.endswith(f"at offset {bad_offset} does not start a valid sequence")


def test_upper_accepts_every_well_formed_sequence_length(lib: ctypes.CDLL) -> None:
    text = "a\u00e9\u20ac\U0001f600\U0010ffff\ud7ff\ue000z".encode()
    rc, code, out_len, _, out = call(lib.textlib_upper, text, len(text))
    assert (rc, code, out_len) == (0, 0, len(text))
    assert out == b"A" + text[1:-1] + b"Z"
