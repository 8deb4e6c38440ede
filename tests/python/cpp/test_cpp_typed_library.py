"""A C++ library of typed functions (ABI v1.1), written with the helpers of vix_ffi.hpp
(tests/fixtures/cpp_typed), built by CMake with ``vix_ffi_add_library()`` against the
quick start's ``vix_ffi`` package, and called through the package ``vix-ffi gen-python``
makes from its hand-written manifest: results checked against Python's own
implementations, every exception mapping as Python sees it (``std::bad_alloc`` as
``MemoryError``), and the raw ABI rules through ``_native``."""

from __future__ import annotations

import ctypes
import importlib
import json
import math
import re
import subprocess
import threading
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpp_support import (
    CPP_TYPED,
    QuickStart,
    exported_symbols,
    gen_python,
    import_with_lib_path,
    run_checked,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
MANIFEST = json.loads((CPP_TYPED / "bindings.json").read_text())
SIZE_MAX = (1 << (8 * ctypes.sizeof(ctypes.c_size_t))) - 1
UNKNOWN = "unknown C++ exception (not derived from std::exception)"


class Built:
    def __init__(self, build_dir: Path, log: str) -> None:
        self.build_dir = build_dir
        self.library = build_dir / "libcpptyped.so"
        self.oom1500 = build_dir / "libcpptyped_oom1500.so"
        self.log = log


@pytest.fixture(scope="module")
def built(quickstart: QuickStart, cpp_root: Path, build_tools: dict[str, str]) -> Built:
    """The fixture library, configured with find_package(vix_ffi) pointed at the quick
    start's build tree, warnings as errors."""
    cmake = build_tools["cmake"]
    build_dir = cpp_root / "build-cpptyped"
    configure = run_checked(
        [
            cmake,
            "-S",
            str(CPP_TYPED),
            "-B",
            str(build_dir),
            "-G",
            "Ninja",
            f"-Dvix_ffi_DIR={quickstart.preset_dir}",
            "-DCMAKE_COMPILE_WARNING_AS_ERROR=ON",
        ]
    )
    build = run_checked([cmake, "--build", str(build_dir), "--verbose"])
    return Built(
        build_dir, configure.stdout + configure.stderr + build.stdout + build.stderr
    )


@pytest.fixture(scope="module")
def pkg(built: Built, cpp_root: Path) -> ModuleType:
    python_dir = gen_python(CPP_TYPED / "bindings.json", cpp_root / "gen-cpptyped")
    package = import_with_lib_path(
        python_dir, "cpptyped", built.build_dir, env_var="CPPTYPED_LIB_PATH"
    )
    native = importlib.import_module("cpptyped._native")
    assert Path(native.LOADED_FROM).resolve() == built.library.resolve()
    return package


@pytest.fixture(scope="module")
def api(pkg: ModuleType) -> ModuleType:
    return importlib.import_module("cpptyped.api")


@pytest.fixture(scope="module")
def native(pkg: ModuleType) -> ModuleType:
    return importlib.import_module("cpptyped._native")


# ---- the build ---------------------------------------------------------------------


def test_builds_warning_free_with_the_helpers_flags(built: Built) -> None:
    assert not re.search(r"warning", built.log, re.IGNORECASE), built.log
    # vix_ffi_add_library's defaults reached the compiler.
    assert "-fvisibility=hidden" in built.log and "-Wextra" in built.log, built.log


def test_exports_exactly_the_manifest_symbols(
    built: Built, build_tools: dict[str, str]
) -> None:
    prefix = MANIFEST["symbol_prefix"]
    wanted = {prefix + f["name"] for f in MANIFEST["functions"]}
    assert exported_symbols(built.library, build_tools["nm"]) == wanted


def test_bad_alloc_code_option_of_vix_ffi_add_library(
    built: Built, build_tools: dict[str, str]
) -> None:
    """libcpptyped_oom1500 is built with BAD_ALLOC_CODE 1500 (and its source
    static_asserts that the header saw it)."""
    assert exported_symbols(built.oom1500, build_tools["nm"]) == {"cppoom_allocate"}
    lib = ctypes.CDLL(str(built.oom1500))
    fn = lib.cppoom_allocate
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint64), ctypes.c_void_p]
    out = ctypes.c_uint64(7)

    class Status(ctypes.Structure):
        _fields_ = [
            ("code", ctypes.c_int32),
            ("ptr", ctypes.c_void_p),
            ("len", ctypes.c_size_t),
        ]

    st = Status(-1, None, 0)
    assert fn(1 << 62, ctypes.byref(out), ctypes.byref(st)) == 1500
    assert st.code == 1500 and out.value == 7
    assert ctypes.string_at(st.ptr, st.len) == b"std::bad_alloc: out of memory"
    assert fn(100, ctypes.byref(out), ctypes.byref(st)) == 0
    assert st.code == 0 and out.value == 100


@pytest.mark.parametrize("code", ["5", "999", "-1", "abc"])
def test_bad_alloc_code_option_refuses_abi_codes(
    quickstart: QuickStart, build_tools: dict[str, str], tmp_path: Path, code: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "lib.cpp").write_text("int unused_symbol_of_the_probe() { return 0; }\n")
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\n"
        "project(probe LANGUAGES CXX)\n"
        "find_package(vix_ffi 1.0 CONFIG REQUIRED)\n"
        f"vix_ffi_add_library(probe SOURCES lib.cpp BAD_ALLOC_CODE {code})\n"
    )
    proc = subprocess.run(
        [
            build_tools["cmake"],
            "-S",
            str(src),
            "-B",
            str(tmp_path / "build"),
            "-G",
            "Ninja",
            f"-Dvix_ffi_DIR={quickstart.preset_dir}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    message = " ".join(proc.stderr.split())  # CMake wraps its messages
    assert f'BAD_ALLOC_CODE "{code}" is neither a library status code' in message, (
        message
    )


def test_version_is_the_cmake_project_version(api: ModuleType) -> None:
    match = re.search(
        r"project\(cpptyped VERSION (\S+)", (CPP_TYPED / "CMakeLists.txt").read_text()
    )
    assert match
    assert api.version() == match.group(1)


# ---- results -------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=3000), value=st.integers(0, (1 << 32) - 1))
def test_adler32_is_zlibs(api: ModuleType, data: bytes, value: int) -> None:
    assert api.adler32(data, value=value) == zlib.adler32(data, value)


def test_adler32_default_and_bytes_likes(api: ModuleType) -> None:
    data = bytes(range(256)) * 40
    assert api.adler32(data) == zlib.adler32(data)
    assert api.adler32(bytearray(data)) == zlib.adler32(data)
    assert api.adler32(memoryview(data)[7:]) == zlib.adler32(data[7:])
    with pytest.raises(OverflowError):
        api.adler32(b"x", value=1 << 32)


@SETTINGS
@given(
    text=st.text(max_size=40),
    times=st.integers(0, 300),
    sep=st.text(max_size=5),
)
def test_repeat_is_str_join(api: ModuleType, text: str, times: int, sep: str) -> None:
    assert api.repeat(text, times, sep=sep) == sep.join([text] * times)


def test_repeat_past_the_first_buffer_and_its_limit(
    api: ModuleType, pkg: ModuleType
) -> None:
    # Larger than the runtime's first capacity: sized through BUFFER_TOO_SMALL.
    assert api.repeat("\u00e9t\u00e9", 5000, sep="/") == "/".join(
        ["\u00e9t\u00e9"] * 5000
    )
    assert len(api.repeat("x", 1 << 20).encode()) == 1 << 20
    with pytest.raises(pkg.TooLongError) as info:
        api.repeat("x", (1 << 20) + 1)
    err: Any = info.value
    assert isinstance(err, ValueError) and isinstance(err, pkg.VixError)
    assert err.code == 1000
    assert err.message == "the repeated text would be longer than 1 MiB"


def interleave_py(a: bytes, b: bytes) -> bytes:
    out = bytearray()
    for i in range(max(len(a), len(b))):
        out += a[i : i + 1] + b[i : i + 1]
    return bytes(out)


@SETTINGS
@given(a=st.binary(max_size=3000), b=st.binary(max_size=3000))
def test_interleave(api: ModuleType, a: bytes, b: bytes) -> None:
    assert api.interleave(a, b) == interleave_py(a, b)


@SETTINGS
@given(n=st.integers(-(1 << 63), (1 << 63) - 1))
def test_parse_i64_and_is_even(api: ModuleType, n: int) -> None:
    assert api.parse_i64(str(n)) == n
    assert api.is_even(n) is (n % 2 == 0)


@pytest.mark.parametrize("x", [0.0, 1.0, 2.0, 1e-300, 1e300, math.inf])
def test_root(api: ModuleType, x: float) -> None:
    assert api.root(x) == math.sqrt(x)
    assert math.isnan(api.root(math.nan))


def test_allocate_small(api: ModuleType) -> None:
    assert api.allocate(0) == 0
    assert api.allocate(10_000) == 3  # pages touched: 0, 4096, 8192


def test_calls_and_reset(api: ModuleType, pkg: ModuleType) -> None:
    api.reset()
    assert api.calls() == 0
    api.adler32(b"abc")
    api.is_even(3)
    with pytest.raises(pkg.VixError):
        api.fail_with("runtime")
    assert api.calls() == 3
    api.reset()
    assert api.calls() == 0


# ---- exceptions, as Python sees them ---------------------------------------------------


def raised(pkg: ModuleType, call: Any, *args: object) -> Any:
    with pytest.raises(pkg.VixError) as info:
        call(*args)
    return info.value


def test_bad_alloc_is_memory_error(api: ModuleType, pkg: ModuleType) -> None:
    for n in (1 << 62, SIZE_MAX):
        with pytest.raises(MemoryError) as info:
            api.allocate(n)
        err: Any = info.value
        assert type(err) is pkg.OutOfMemoryError and isinstance(err, pkg.VixError)
        assert err.code == 1999
        assert err.message == "std::bad_alloc: out of memory"
    assert api.allocate(4096) == 1  # and the library still works


@pytest.mark.parametrize(
    "text, message",
    [
        ("abc", "std::invalid_argument: stoll"),
        ("", "std::invalid_argument: stoll"),
        ("12x", 'std::invalid_argument: trailing characters after the number: "x"'),
    ],
)
def test_invalid_argument_is_value_error(
    api: ModuleType, pkg: ModuleType, text: str, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        api.parse_i64(text)
    err: Any = info.value
    assert type(err) is pkg.InvalidArgumentError and err.code == 2
    assert err.message == message


def test_domain_error_is_value_error(api: ModuleType, pkg: ModuleType) -> None:
    with pytest.raises(ValueError) as info:
        api.root(-1.0)
    err: Any = info.value
    assert type(err) is pkg.InvalidArgumentError and err.code == 2
    assert err.message == "std::domain_error: root of a negative number"


def test_other_standard_exceptions_are_generic(
    api: ModuleType, pkg: ModuleType
) -> None:
    err = raised(pkg, api.parse_i64, str(1 << 63))
    assert type(err) is pkg.VixError and err.code == 1
    assert not isinstance(err, ValueError)
    assert err.message == "std::out_of_range: stoll"


@pytest.mark.parametrize(
    "kind, cls, code, message",
    [
        ("runtime", "VixError", 1, "std::runtime_error: the disk is on fire"),
        ("parse", "VixError", 1, "cpptyped::parse_error: unexpected '}' at offset 4"),
        ("unknown", "VixError", 1, UNKNOWN),
        ("unnamed", "VixError", 1234, "a code the manifest does not name"),
        (
            "low",
            "VixError",
            1,
            (
                "library status code 7 is not one of the library's own (they start at "
                "1000; 0 to 999 belong to the ABI): seven"
            ),
        ),
        ("not_supported", "NotSupportedError", 4, "not in this build"),
    ],
)
def test_fail_with(
    api: ModuleType, pkg: ModuleType, kind: str, cls: str, code: int, message: str
) -> None:
    err = raised(pkg, api.fail_with, kind)
    assert type(err) is getattr(pkg, cls)
    assert (err.code, err.message) == (code, message)
    assert api.fail_with("nothing") is None


def test_messages_do_not_mix_between_threads(api: ModuleType) -> None:
    """Each thread reads its own message (the buffer is per thread; the GIL is released
    during the calls)."""
    problems: list[str] = []

    def worker(tid: int) -> None:
        for i in range(300):
            rest = f"z{tid}" + "x" * (i % 40)
            try:
                api.parse_i64(f"{i}{rest}")
            except ValueError as e:
                expected = f'std::invalid_argument: trailing characters after the number: "{rest}"'
                if getattr(e, "message", None) != expected:
                    problems.append(f"{i}{rest}: {e}")
            else:
                problems.append(f"{i}{rest}: no error")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []


# ---- the raw ABI, through _native ------------------------------------------------------

GUARD = 0xA5


def status(native: ModuleType) -> Any:
    st = native.VixStatus()
    st.code = -12345
    return st


def message_of(st: Any) -> str:
    if not st.message.len:
        return ""
    return ctypes.string_at(st.message.ptr, st.message.len).decode()


def test_raw_scalar_output_and_argument_checks(native: ModuleType) -> None:
    out = ctypes.c_uint32(77)
    st = status(native)
    assert native.adler32(b"abc", 3, 1, ctypes.byref(out), ctypes.byref(st)) == 0
    assert st.code == 0 and out.value == zlib.adler32(b"abc")

    out.value = 77
    rc = native.adler32(None, 3, 1, ctypes.byref(out), ctypes.byref(st))
    assert rc == 2 and st.code == 2 and out.value == 77
    assert message_of(st) == "data_ptr is NULL but data_len is 3"

    rc = native.adler32(b"abc", 3, 1, None, ctypes.byref(st))
    assert rc == 2 and st.code == 2 and message_of(st) == "out_value is NULL"
    assert native.adler32(b"abc", 3, 1, None, None) == 2

    # Empty input with a NULL pointer is fine.
    assert native.adler32(None, 0, 1, ctypes.byref(out), ctypes.byref(st)) == 0
    assert out.value == 1

    # A failure leaves *out_value alone.
    value = ctypes.c_int64(-5)
    assert native.parse_i64(b"zz", 2, ctypes.byref(value), ctypes.byref(st)) == 2
    assert value.value == -5

    flag = ctypes.c_bool(True)
    assert native.is_even(7, ctypes.byref(flag), ctypes.byref(st)) == 0
    assert flag.value is False


def call_repeat(
    native: ModuleType, text: bytes, times: int, sep: bytes, cap: int
) -> tuple[int, int, int, bytes, bytes]:
    """(rc, code, out_len, the first cap bytes, the guard bytes after them)."""
    buf = (ctypes.c_uint8 * (cap + 16))(*([GUARD] * (cap + 16)))
    out_len = ctypes.c_size_t(999)
    st = status(native)
    rc = native.repeat(
        text,
        len(text),
        times,
        sep,
        len(sep),
        buf if cap else None,
        cap,
        ctypes.byref(out_len),
        ctypes.byref(st),
    )
    raw = bytes(buf)
    return rc, st.code, out_len.value, raw[:cap], raw[cap:]


def test_raw_sizing_of_a_text_output(native: ModuleType) -> None:
    want = b"ab, ab, ab"
    rc, code, n, _, after = call_repeat(native, b"ab", 3, b", ", 0)  # size query
    assert (rc, code, n) == (3, 3, len(want))
    rc, code, n, head, after = call_repeat(native, b"ab", 3, b", ", len(want) - 1)
    assert (code, n) == (3, len(want))
    assert head == bytes([GUARD]) * (len(want) - 1)  # nothing written
    assert after == bytes([GUARD]) * 16
    rc, code, n, head, after = call_repeat(native, b"ab", 3, b", ", len(want))
    assert (rc, code, n, head) == (0, 0, len(want), want)
    assert after == bytes([GUARD]) * 16
    rc, code, n, head, after = call_repeat(native, b"ab", 3, b", ", 40)
    assert (rc, n, head[: len(want)]) == (0, len(want), want)
    assert head[len(want) :] == bytes([GUARD]) * (40 - len(want))


def test_raw_output_argument_checks(native: ModuleType) -> None:
    st = status(native)
    out_len = ctypes.c_size_t(7)
    buf = ctypes.create_string_buffer(8)
    rc = native.interleave(b"a", 1, b"b", 1, buf, 8, None, ctypes.byref(st))
    assert rc == 2 and message_of(st) == "out_len is NULL"
    rc = native.interleave(
        b"a", 1, b"b", 1, None, 8, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert rc == 2 and out_len.value == 0
    assert message_of(st) == "out_ptr is NULL but out_cap is 8"
    rc = native.interleave(
        b"a", 1, None, 4, buf, 8, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert rc == 2 and message_of(st) == "b_ptr is NULL but b_len is 4"
    rc = native.interleave(
        b"ab", 2, b"c", 1, None, 0, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert (rc, st.code, out_len.value) == (3, 3, 3)
    rc = native.interleave(b"ab", 2, b"c", 1, buf, 8, ctypes.byref(out_len), None)
    assert rc == 0 and buf.raw[: out_len.value] == b"acb"


def test_raw_library_code_keeps_its_number(native: ModuleType) -> None:
    st = status(native)
    assert native.fail_with(b"unnamed", 7, ctypes.byref(st)) == 1234
    assert st.code == 1234
    big = b"x" * 1000
    out_len = ctypes.c_size_t(0)
    rc = native.repeat(
        big, len(big), 2000, None, 0, None, 0, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert rc == 1000 and st.code == 1000
