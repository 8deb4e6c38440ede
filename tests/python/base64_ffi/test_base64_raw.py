"""The raw ctypes bindings of `_native`: struct mirrors, argtypes, and the operation shape
as the library implements it."""

from __future__ import annotations

import base64
import ctypes
import sys
import threading
from collections.abc import Callable
from ctypes import POINTER, byref, c_int, c_size_t, c_void_p, sizeof
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

LP64 = sizeof(c_void_p) == 8


def _message(status: Any) -> str:
    msg = status.message
    if msg.len == 0:
        return ""
    assert msg.ptr, "a non-empty message with a NULL pointer"
    return ctypes.string_at(msg.ptr, msg.len).decode("utf-8")


def _call(
    native: ModuleType, name: str, data: bytes, cap: int, out: Any = None
) -> tuple[int, int, Any]:
    """Calls the raw operation; returns (rc, out_len, status)."""
    in_buf = ctypes.create_string_buffer(data, len(data)) if data else None
    out_len = c_size_t(12345)
    status = native.VixStatus()
    rc = getattr(native, name)(
        in_buf, len(data), out, cap, byref(out_len), byref(status)
    )
    return rc, out_len.value, status


# --- mirrors and metadata -----------------------------------------------------------------


@pytest.mark.skipif(not LP64, reason="sizes are stated for LP64")
def test_struct_layouts(native: ModuleType) -> None:
    assert sizeof(native.VixStr) == 16 and ctypes.alignment(native.VixStr) == 8
    assert sizeof(native.VixBuf) == 16
    assert sizeof(native.VixMutBuf) == 16
    assert sizeof(native.VixStatus) == 24
    assert native.VixStatus.code.offset == 0 and native.VixStatus.code.size == 4
    assert native.VixStatus.message.offset == 8
    assert sizeof(native.VixAllocator) == 24
    assert [f[0] for f in native.VixStr._fields_] == ["ptr", "len"]
    assert [f[0] for f in native.VixBuf._fields_] == ["ptr", "len"]
    assert [f[0] for f in native.VixMutBuf._fields_] == ["ptr", "cap"]
    assert [f[0] for f in native.VixStatus._fields_] == ["code", "message"]
    assert [f[0] for f in native.VixAllocator._fields_] == ["alloc", "free", "user"]


def test_string_pointers_are_void_pointers(native: ModuleType) -> None:
    """c_char_p would read up to a NUL instead of by length."""
    assert dict(native.VixStr._fields_)["ptr"] is c_void_p
    assert dict(native.VixBuf._fields_)["ptr"] is c_void_p
    assert dict(native.VixStr._fields_)["len"] is c_size_t
    assert dict(native.VixStatus._fields_)["code"] is ctypes.c_int32


def test_argtypes_and_restypes(native: ModuleType) -> None:
    expected_op = [
        c_void_p,
        c_size_t,
        c_void_p,
        c_size_t,
        POINTER(c_size_t),
        POINTER(native.VixStatus),
    ]
    for name in ("encode", "decode"):
        fn = getattr(native, name)
        assert list(fn.argtypes) == expected_op, name
        assert fn.restype is c_int, name
    assert list(native.version.argtypes) == [POINTER(native.VixStatus)]
    assert native.version.restype is native.VixStr


def test_library_metadata(native: ModuleType, lib_dir: Path) -> None:
    assert native.ENV_VAR == "VIX_LIB_PATH"
    assert native.LIBRARY_NAME == "base64_ffi"
    if sys.platform.startswith("linux"):
        assert native.LIBRARY_FILENAME == "libbase64_ffi.so"
    assert isinstance(native.library, ctypes.CDLL)
    # The session fixture sets VIX_LIB_PATH to the build folder: that is what loaded.
    assert (
        Path(native.LOADED_FROM).resolve()
        == (lib_dir / native.LIBRARY_FILENAME).resolve()
    )


# --- version -------------------------------------------------------------------------------


def test_raw_version(native: ModuleType, api: ModuleType) -> None:
    status = native.VixStatus()
    status.code = 99
    s = native.version(byref(status))
    assert status.code == 0
    assert s.len > 0 and s.ptr
    text = ctypes.string_at(s.ptr, s.len).decode("utf-8")
    assert text == api.version()
    assert text.strip() == text and "\x00" not in text
    # A NULL status is allowed.
    again = native.version(None)
    assert ctypes.string_at(again.ptr, again.len).decode("utf-8") == text


def test_api_version_is_a_non_empty_str(api: ModuleType) -> None:
    v = api.version()
    assert isinstance(v, str) and v.strip()
    assert api.version() == v


# --- size queries and capacities -----------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 100, 6144, 6145, 1 << 20])
def test_encode_size_query(native: ModuleType, n: int) -> None:
    rc, out_len, status = _call(native, "encode", bytes(n), 0, None)
    assert rc != 0
    assert status.code == native.VIX_STATUS_BUFFER_TOO_SMALL
    assert out_len == 4 * -(-n // 3)
    assert _message(status)  # a readable, non-empty message


def test_empty_input_needs_no_buffer(native: ModuleType) -> None:
    for name in ("encode", "decode"):
        rc, out_len, status = _call(native, name, b"", 0, None)
        assert (rc, out_len, status.code) == (0, 0, 0), name


@pytest.mark.parametrize(
    "text, size",
    [(b"QQ==", 1), (b"QUI=", 2), (b"QUJD", 3), (b"QUJDREVG", 6), (b"QUJDRA==", 4)],
)
def test_decode_size_query(native: ModuleType, text: bytes, size: int) -> None:
    rc, out_len, status = _call(native, "decode", text, 0, None)
    assert rc != 0 and status.code == 3
    assert out_len == size


@pytest.mark.parametrize("n", [1, 3, 4, 100, 6145])
def test_exact_capacity_and_one_short(native: ModuleType, n: int) -> None:
    data = bytes(range(256)) * (n // 256 + 1)
    data = data[:n]
    need = 4 * -(-n // 3)
    guard = 32
    buf = (ctypes.c_ubyte * (need + guard))(*([0xAA] * (need + guard)))
    rc, out_len, status = _call(native, "encode", data, need - 1, buf)
    assert rc != 0 and status.code == 3 and out_len == need
    # Never past out_cap; and this library checks the capacity before doing any work.
    assert bytes(buf) == b"\xaa" * (need + guard)
    rc, out_len, status = _call(native, "encode", data, need, buf)
    assert (rc, status.code, out_len) == (0, 0, need)
    assert _message(status) == ""
    assert bytes(buf[:need]) == base64.b64encode(data)
    assert bytes(buf[need:]) == b"\xaa" * guard


def test_argument_checks(native: ModuleType) -> None:
    status = native.VixStatus()
    out = ctypes.create_string_buffer(16)
    out_len = c_size_t()
    data = ctypes.create_string_buffer(b"abc", 3)
    # out_len NULL
    assert native.encode(data, 3, out, 16, None, byref(status)) != 0
    assert status.code == 2 and _message(status)
    # in_ptr NULL with in_len > 0
    assert native.encode(None, 3, out, 16, byref(out_len), byref(status)) != 0
    assert status.code == 2 and _message(status)
    # out_ptr NULL with out_cap > 0
    assert native.encode(data, 3, None, 16, byref(out_len), byref(status)) != 0
    assert status.code == 2 and _message(status)
    # A NULL status is allowed: the return value still tells success from failure.
    assert native.encode(data, 3, out, 16, byref(out_len), None) == 0
    assert out.raw[: out_len.value] == b"YWJj"
    assert (
        native.decode(
            ctypes.create_string_buffer(b"AAA!", 4), 4, out, 16, byref(out_len), None
        )
        != 0
    )


def test_invalid_input_status(
    native: ModuleType, api: ModuleType, pkg: ModuleType
) -> None:
    out = ctypes.create_string_buffer(16)
    rc, _, status = _call(native, "decode", b"AAA!", 16, out)
    assert rc != 0
    assert status.code == native.VIX_STATUS_INVALID_ARG
    raw_message = _message(status)
    assert "offset 3" in raw_message
    # The api reports exactly the library's message, read by pointer and length.
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode("AAA!")
    assert info.value.message == raw_message


def test_message_with_nul_is_read_by_length(
    native: ModuleType, api: ModuleType, pkg: ModuleType
) -> None:
    """The library quotes the bad byte in its message: reading up to a NUL would cut it."""
    out = ctypes.create_string_buffer(16)
    _, _, status = _call(native, "decode", b"AAA\x00", 16, out)
    raw_message = _message(status)
    with pytest.raises(pkg.InvalidArgumentError) as info:
        api.decode(b"AAA\x00")
    assert info.value.message == raw_message
    assert len(info.value.message) == status.message.len


def test_message_outlives_calls_on_other_threads(native: ModuleType) -> None:
    """A message stays valid until the next call on the same thread."""
    out = ctypes.create_string_buffer(16)
    _, _, status = _call(native, "decode", b"AAA!", 16, out)
    first = _message(status)

    def elsewhere() -> None:
        for text in (b"!AAA", b"A===", b"QR=="):
            _call(native, "decode", text, 16, ctypes.create_string_buffer(16))

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert _message(status) == first


# --- huge lengths must not bring the process down -----------------------------------------

HUGE_SCRIPT = r"""
import ctypes, json, sys
from ctypes import byref, c_size_t
from base64_ffi import _native as n
results = []
small = ctypes.create_string_buffer(16)
for ptr, in_len in [(small, 2**62), (None, 2**62), (small, 2**63 - 1), (small, 2**64 - 1)]:
    out_len = c_size_t(7)
    st = n.VixStatus()
    rc = n.encode(ptr, in_len, None, 0, byref(out_len), byref(st))
    msg = ctypes.string_at(st.message.ptr, st.message.len).decode() if st.message.len else ""
    results.append({"in_len": in_len, "null": ptr is None, "rc": rc, "code": st.code,
                    "out_len": out_len.value, "msg": msg})
print(json.dumps(results))
"""


def test_huge_in_len_size_query_does_not_abort(
    run_py: Callable[..., Any],
    child_json: Callable[[Any], Any],
    base64_python_dir: Path,
    abs_lib_dir: Path,
) -> None:
    """The original aborted the process (std::bad_alloc) on in_len = 2**62. The size is
    known from the length alone, so the library answers without touching the input."""
    proc = run_py(
        HUGE_SCRIPT,
        pythonpath=base64_python_dir,
        env={"VIX_LIB_PATH": str(abs_lib_dir)},
    )
    results = child_json(proc)
    for r in results:
        assert r["rc"] != 0, r
        assert r["code"] in (2, 3), r
        assert r["msg"], r
        if r["code"] == 3:
            assert r["out_len"] == 4 * -(-r["in_len"] // 3), r
    assert results[1]["code"] == 2, results[1]  # NULL in_ptr with in_len > 0
