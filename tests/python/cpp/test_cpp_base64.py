"""The C++ example through its generated package ``base64_ffi_cpp``: the behaviour of the
Rust example, checked against the standard library, against the Rust library itself,
and at the raw operation-shape level (sizes first, nothing past out_cap)."""

from __future__ import annotations

import base64
import binascii
import ctypes
import random
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cpp_support import CPP_EXAMPLE, QuickStart

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_OFFSET = re.compile(r"\boffset\b\D{0,12}?(\d+)", re.IGNORECASE)


def first_offset(message: str) -> int | None:
    match = _OFFSET.search(message)
    return int(match.group(1)) if match else None


def test_version_is_the_cmake_project_version(cpp_api: ModuleType) -> None:
    match = re.search(
        r"project\(base64_ffi_cpp VERSION (\S+)",
        (CPP_EXAMPLE / "CMakeLists.txt").read_text(),
    )
    assert match
    assert cpp_api.version() == match.group(1)


def test_manifest_is_the_rust_one_but_for_its_names() -> None:
    import json

    rust = json.loads((CPP_EXAMPLE.parent / "base64_ffi" / "bindings.json").read_text())
    cpp = json.loads((CPP_EXAMPLE / "bindings.json").read_text())
    assert (cpp["library"]["name"], cpp["python"]["package"]) == (
        "base64_ffi_cpp",
        "base64_ffi_cpp",
    )
    cpp["library"]["name"] = rust["library"]["name"]
    cpp["python"]["package"] = rust["python"]["package"]
    assert cpp == rust


@SETTINGS
@given(data=st.binary(max_size=2048))
@example(data=b"")
@example(data=bytes(range(256)))
def test_round_trip_matches_the_standard_library(
    cpp_api: ModuleType, data: bytes
) -> None:
    text = cpp_api.encode(data)
    assert text == base64.b64encode(data).decode("ascii")
    assert cpp_api.decode(text) == data


@pytest.mark.parametrize(
    "size", [0, 1, 2, 3, 6143, 6144, 6145, 65536, 1 << 20, (10 << 20) + 1]
)
def test_large_outputs_need_no_fixed_buffer(cpp_api: ModuleType, size: int) -> None:
    data = random.Random(size).randbytes(size)
    text = cpp_api.encode(data)
    assert len(text) == 4 * ((size + 2) // 3)
    assert text == base64.b64encode(data).decode("ascii")
    assert cpp_api.decode(text) == data


# (input, the C++ example's exact message). Offsets are byte offsets of the UTF-8 input.
MESSAGES = [
    (
        "AAA!",
        "invalid base64: character '!' at offset 3 is not in the standard alphabet (A-Z a-z 0-9 + /)",
    ),
    (
        "AAAA_AAA",
        "invalid base64: character '_' at offset 4 is not in the standard alphabet (A-Z a-z 0-9 + /)",
    ),
    (
        "AA\\A",
        "invalid base64: character '\\\\' at offset 2 is not in the standard alphabet (A-Z a-z 0-9 + /)",
    ),
    (
        "AA\u00e9",
        "invalid base64: byte 0xc3 at offset 2 is not in the standard alphabet (A-Z a-z 0-9 + /)",
    ),
    (
        "AAA\x00",
        "invalid base64: byte 0x00 at offset 3 is not in the standard alphabet (A-Z a-z 0-9 + /)",
    ),
    (
        "AAAA\r\nAA",
        "invalid base64: whitespace (byte 0x0d) at offset 4; strict decoding accepts no whitespace or line breaks",
    ),
    (
        "AA=A",
        "invalid base64: misplaced padding '=' at offset 2 (padding may only end the input, as '=' or '==')",
    ),
    (
        "A===",
        "invalid base64: misplaced padding '=' at offset 1 (padding may only end the input, as '=' or '==')",
    ),
    (
        "AA==AAAA",
        "invalid base64: misplaced padding '=' at offset 2 (padding may only end the input, as '=' or '==')",
    ),
    (
        "QR==",
        "invalid base64: character 'R' at offset 1 has non-zero trailing bits (not canonical base64)",
    ),
    (
        "AAB=",
        "invalid base64: character 'B' at offset 2 has non-zero trailing bits (not canonical base64)",
    ),
    (
        "AAAAA",
        (
            "invalid base64 length 5: padded base64 is a multiple of 4 characters "
            "(the last quantum starting at offset 4 is incomplete)"
        ),
    ),
    (
        "AA=",
        (
            "invalid base64 length 3: padded base64 is a multiple of 4 characters "
            "(the last quantum starting at offset 0 is incomplete)"
        ),
    ),
]


@pytest.mark.parametrize("text, message", MESSAGES, ids=[repr(t) for t, _ in MESSAGES])
def test_strict_decode_messages(
    cpp_pkg: ModuleType, cpp_api: ModuleType, text: str, message: str
) -> None:
    with pytest.raises(cpp_pkg.InvalidArgumentError) as info:
        cpp_api.decode(text)
    assert info.value.code == 2
    assert info.value.message == message
    assert str(info.value).startswith(message)


def outcome(api: ModuleType, pkg: ModuleType, text: str) -> tuple[str, Any, int | None]:
    """("ok", bytes, None) or ("error", code, offset): what a decoder says about text."""
    try:
        return "ok", api.decode(text), None
    except pkg.VixError as e:
        return type(e).__name__, e.code, first_offset(e.message)


@st.composite
def mutated_encodings(draw: Any) -> str:
    """A valid encoding with a few small edits: where a lax or different decoder shows."""
    text = base64.b64encode(draw(st.binary(max_size=30))).decode("ascii")
    for _ in range(draw(st.integers(0, 3))):
        junk = draw(
            st.sampled_from(
                list(ALPHABET[:8] + ALPHABET[-4:] + "==-_. \n\t!\x00\u00e9")
            )
        )
        pos = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        if edit == "replace" and text:
            pos = min(pos, len(text) - 1)
            text = text[:pos] + junk + text[pos + 1 :]
        elif edit == "insert":
            text = text[:pos] + junk + text[pos:]
        elif text:
            pos = min(pos, len(text) - 1)
            text = text[:pos] + text[pos + 1 :]
    return text


@SETTINGS
@given(text=mutated_encodings())
@example(text="QQ==")
@example(text="QR==")
@example(text="====")
def test_decodes_like_the_rust_example(
    cpp_api: ModuleType,
    cpp_pkg: ModuleType,
    rust_api: ModuleType,
    base64_pkg: ModuleType,
    text: str,
) -> None:
    """Same result, or the same exception class, code and offset, as the Rust library;
    and accepted exactly when the standard library's validating decoder accepts it
    canonically."""
    ours = outcome(cpp_api, cpp_pkg, text)
    assert ours == outcome(rust_api, base64_pkg, text)
    std: bytes | None = None
    try:
        decoded = base64.b64decode(text, validate=True)
        # The stdlib also accepts non-zero trailing bits; strict decoders do not.
        if base64.b64encode(decoded).decode("ascii") == text:
            std = decoded
    except (binascii.Error, ValueError):
        pass
    if std is None:
        assert ours[0] == "InvalidArgumentError" and ours[2] is not None, (text, ours)
    else:
        assert ours == ("ok", std, None)


# ---- the raw operation shape, through ctypes declared here -----------------------------


class Status(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_int32),
        ("ptr", ctypes.c_void_p),
        ("len", ctypes.c_size_t),
    ]

    def message(self) -> str:
        return ctypes.string_at(self.ptr, self.len).decode() if self.len else ""


@pytest.fixture(scope="module")
def raw(quickstart: QuickStart) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(quickstart.library))
    for name in ("base64_encode", "base64_decode"):
        fn = getattr(lib, name)
        fn.restype = ctypes.c_int
        fn.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(Status),
        ]
    return lib


GUARD = 0xA5


def raw_call(
    fn: Any, data: bytes, cap: int, null_out: bool = False
) -> tuple[int, int, int, bytes, str, bytes]:
    """(rc, code, out_len, output, message, the 32 guard bytes after out_cap)."""
    src = ctypes.create_string_buffer(data, len(data))
    buf = (ctypes.c_uint8 * (cap + 32))(*([GUARD] * (cap + 32)))
    out_len = ctypes.c_size_t(987654321)
    st = Status(-1, None, 0)
    rc = fn(
        src if data else None,
        len(data),
        None if null_out else buf,
        cap,
        ctypes.byref(out_len),
        ctypes.byref(st),
    )
    raw_bytes = bytes(buf)
    return (
        rc,
        st.code,
        out_len.value,
        raw_bytes[: min(out_len.value, cap)],
        st.message(),
        raw_bytes[cap:],
    )


def test_size_query_then_exact_buffer(raw: ctypes.CDLL) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    rc, code, need, _, message, _ = raw_call(raw.base64_encode, data, 0, null_out=True)
    assert (rc, code, need) == (3, 3, 4 * ((len(data) + 2) // 3))
    assert message == f"output buffer too small: {need} bytes needed, out_cap is 0"
    rc, code, n, out, message, tail = raw_call(raw.base64_encode, data, need)
    assert (rc, code, n, message) == (0, 0, need, "")
    assert out == base64.b64encode(data)
    assert tail == bytes([GUARD]) * 32


def test_one_byte_short_writes_nothing(raw: ctypes.CDLL) -> None:
    text = base64.b64encode(b"x" * 1000)
    rc, code, need, _, _, _ = raw_call(raw.base64_decode, text, 999)
    assert (rc, code, need) == (3, 3, 1000)
    _, _, _, _, _, everything = raw_call(raw.base64_decode, text, 0)
    assert everything == bytes([GUARD]) * 32


def test_buffer_size_is_answered_before_the_characters_are_checked(
    raw: ctypes.CDLL,
) -> None:
    """A bad input with a small buffer is BUFFER_TOO_SMALL: no work was done yet."""
    rc, code, need, _, _, _ = raw_call(raw.base64_decode, b"!!!!" * 1000, 10)
    assert (rc, code, need) == (3, 3, 3000)
    rc, code, _, _, message, _ = raw_call(raw.base64_decode, b"!!!!" * 1000, 3000)
    assert (rc, code) == (2, 2) and first_offset(message) == 0


def test_argument_checks(raw: ctypes.CDLL) -> None:
    st = Status(-1, None, 0)
    n = ctypes.c_size_t(5)
    assert raw.base64_encode(None, 4, None, 0, ctypes.byref(n), ctypes.byref(st)) == 2
    assert (st.code, st.message(), n.value) == (2, "in_ptr is NULL but in_len is 4", 0)
    assert raw.base64_encode(b"abc", 3, None, 8, ctypes.byref(n), ctypes.byref(st)) == 2
    assert st.message() == "out_ptr is NULL but out_cap is 8"
    assert raw.base64_encode(b"abc", 3, None, 0, None, ctypes.byref(st)) == 2
    assert st.message() == "out_len is NULL"
    # No status pointer: the code still comes back as the return value.
    assert raw.base64_decode(b"AAA", 3, None, 0, ctypes.byref(n), None) == 2


def test_impossible_sizes_are_invalid_arguments_not_crashes(raw: ctypes.CDLL) -> None:
    st = Status(-1, None, 0)
    n = ctypes.c_size_t(5)
    huge = (
        1 << 63
    ) - 1  # PTRDIFF_MAX: accepted as a length, but its encoding cannot exist
    assert (
        raw.base64_encode(b"x", huge, None, 0, ctypes.byref(n), ctypes.byref(st)) == 2
    )
    assert "too large" in st.message(), st.message()
    assert (
        raw.base64_encode(b"x", 1 << 62, None, 0, ctypes.byref(n), ctypes.byref(st))
        == 3
    )
    assert n.value == 4 * (((1 << 62) + 2) // 3)  # a size query needs no memory
    assert (
        raw.base64_encode(b"x", 1 << 63, None, 0, ctypes.byref(n), ctypes.byref(st))
        == 2
    )
    assert "exceeds the largest possible buffer" in st.message(), st.message()


def test_overlapping_buffers_are_refused(raw: ctypes.CDLL) -> None:
    buf = ctypes.create_string_buffer(b"QUJD" + bytes(60), 64)
    st = Status(-1, None, 0)
    n = ctypes.c_size_t(0)
    addr = ctypes.addressof(buf)
    assert (
        raw.base64_decode(addr, 4, addr + 2, 60, ctypes.byref(n), ctypes.byref(st)) == 2
    )
    assert "overlap" in st.message()
    assert (
        raw.base64_decode(addr, 4, addr + 4, 60, ctypes.byref(n), ctypes.byref(st)) == 0
    )
    assert buf.raw[4:7] == b"ABC"


def test_library_path_is_the_cmake_build(
    cpp_native: ModuleType, quickstart: QuickStart
) -> None:
    assert Path(cpp_native.LOADED_FROM).resolve() == quickstart.library.resolve()
    assert cpp_native.LIBRARY_FILENAME == "libbase64_ffi_cpp.so"
