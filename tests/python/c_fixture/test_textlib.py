"""Acceptance: a C library written by someone else against ``include/vix/ffi/``, with
its own manifest (all five api kinds, its own environment variable), works through
``vix-ffi gen-python`` unchanged."""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

TEXTLIB_SPEC = (
    Path(__file__).resolve().parents[2] / "fixtures" / "c_textlib" / "bindings.json"
)
TEXTLIB_ENV_VAR = "TEXTLIB_LIB_PATH"
MIB = 1 << 20


def _native(pkg: ModuleType) -> ModuleType:
    return importlib.import_module(pkg.__name__ + "._native")


def _too_small_count(pkg: ModuleType) -> int:
    """The library's own count of BUFFER_TOO_SMALL answers (a test hook, not in the
    manifest), read through the handle the generated loader opened."""
    fn = _native(pkg).library.textlib_too_small_count
    fn.argtypes = []
    fn.restype = ctypes.c_size_t
    return int(fn())


def test_manifest_uses_all_five_kinds_and_its_own_names() -> None:
    manifest = json.loads(TEXTLIB_SPEC.read_text(encoding="utf-8"))
    kinds = {entry["kind"] for entry in manifest["python"]["api"]}
    assert kinds == {
        "version",
        "str_to_str",
        "bytes_to_str",
        "str_to_bytes",
        "bytes_to_bytes",
    }
    assert manifest["library"] == {
        "name": "textlib",
        "env_var": TEXTLIB_ENV_VAR,
        "search_paths": [],
    }
    assert manifest["python"]["package"] == "textlib"


def test_library_exports_only_its_prefixed_api(textlib_lib_dir: Path) -> None:
    proc = subprocess.run(
        [
            "nm",
            "-D",
            "--defined-only",
            "--format=posix",
            str(textlib_lib_dir / "libtextlib.so"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    functions = sorted(
        line.split()[0]
        for line in proc.stdout.splitlines()
        if line.split()[1:2] == ["T"]
    )
    assert functions == [
        "textlib_hex",
        "textlib_reverse",
        "textlib_too_small_count",
        "textlib_unhex",
        "textlib_upper",
        "textlib_version",
    ]


def test_loaded_through_its_own_env_var(
    textlib: ModuleType, textlib_lib_dir: Path
) -> None:
    native = _native(textlib)
    assert native.ENV_VAR == TEXTLIB_ENV_VAR
    assert native.LIBRARY_NAME == "textlib"
    assert native.LIBRARY_FILENAME == "libtextlib.so"
    assert Path(native.LOADED_FROM).resolve().parent == textlib_lib_dir.resolve()


def test_version(textlib: ModuleType) -> None:
    assert textlib.api.version() == "1.4.2"


# ---- str_to_str ---------------------------------------------------------------------


def test_upper(textlib: ModuleType) -> None:
    api = textlib.api
    assert api.upper("héllo, wörld 42") == "HéLLO, WöRLD 42"
    assert api.upper("") == ""
    # Read by length, not up to a NUL, in both directions.
    assert api.upper("a\x00b") == "A\x00B"
    # Bytes-like input is passed as is.
    assert api.upper(b"abc") == "ABC"
    assert api.upper(memoryview(bytearray(b"xyz"))) == "XYZ"


def test_upper_refuses_malformed_utf8_with_the_offset(textlib: ModuleType) -> None:
    api = textlib.api
    with pytest.raises(api.InvalidArgumentError) as info:
        api.upper(b"ab\xffcd")
    err = info.value
    assert err.code == 2
    assert (
        err.message
        == "invalid UTF-8: byte 0xff at offset 2 does not start a valid sequence"
    )
    assert str(err).endswith("(VIX_STATUS_INVALID_ARG)")
    assert isinstance(err, ValueError)


def test_upper_of_a_large_text(textlib: ModuleType) -> None:
    text = "abcé" * (MIB // 4)
    assert textlib.api.upper(text) == text.upper().replace("É", "é")


# ---- bytes_to_str -------------------------------------------------------------------


def test_to_hex(textlib: ModuleType) -> None:
    api = textlib.api
    assert api.to_hex(b"\x00\xffab") == "00ff6162"
    assert api.to_hex(b"") == ""
    assert api.to_hex(bytearray(b"\x10")) == "10"
    assert api.to_hex(memoryview(b"\x01\x02\x03")[1:]) == "0203"


def test_to_hex_of_1_mib_takes_the_buffer_too_small_path(textlib: ModuleType) -> None:
    data = os.urandom(MIB)
    before = _too_small_count(textlib)
    assert textlib.api.to_hex(data) == data.hex()
    # The output (2 MiB) is larger than any first capacity guess for a 1 MiB input, so
    # the library must have answered BUFFER_TOO_SMALL and the api retried with the size.
    assert _too_small_count(textlib) > before


# ---- str_to_bytes -------------------------------------------------------------------


def test_from_hex(textlib: ModuleType) -> None:
    api = textlib.api
    assert api.from_hex("00ff6162") == b"\x00\xffab"
    assert api.from_hex("ABCdef") == b"\xab\xcd\xef"
    assert api.from_hex("") == b""
    assert api.from_hex(b"7a") == b"z"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abzz", "invalid hex digit 'z' at offset 2"),
        ("ab cd0", "invalid hex digit (byte 0x20) at offset 2"),
        ("0x10", "invalid hex digit 'x' at offset 1"),
        ("abc", "odd number of hex digits (3): the digit at offset 2 has no partner"),
        ("\u00e9\u00e9", "invalid hex digit (byte 0xc3) at offset 0"),
    ],
)
def test_from_hex_errors_are_invalid_argument_errors(
    textlib: ModuleType, text: str, message: str
) -> None:
    api = textlib.api
    with pytest.raises(api.InvalidArgumentError) as info:
        api.from_hex(text)
    assert info.value.code == 2
    assert info.value.message == message
    assert str(info.value) == f"{message} (VIX_STATUS_INVALID_ARG)"


def test_hex_round_trip_of_1_mib(textlib: ModuleType) -> None:
    data = os.urandom(MIB)
    assert textlib.api.from_hex(textlib.api.to_hex(data)) == data


# ---- bytes_to_bytes -----------------------------------------------------------------


def test_reverse(textlib: ModuleType) -> None:
    api = textlib.api
    assert api.reverse(b"abc") == b"cba"
    assert api.reverse(b"") == b""
    assert api.reverse(bytearray(b"\x00\x01")) == b"\x01\x00"
    data = os.urandom(MIB + 7)
    assert api.reverse(data) == data[::-1]


# ---- threads and loading ------------------------------------------------------------


def test_messages_are_per_thread(textlib: ModuleType) -> None:
    """Each thread sees its own formatted message (the library keeps them thread-local),
    while the calls run concurrently with the GIL released."""
    api = textlib.api
    failures: list[str] = []

    def worker(offset: int) -> None:
        text = "00" * offset + "zz" + "00" * 64
        expected = f"invalid hex digit 'z' at offset {2 * offset}"
        for _ in range(200):
            try:
                api.from_hex(text)
            except api.InvalidArgumentError as err:
                if err.message != expected:
                    failures.append(f"thread {offset}: {err.message!r}")
                    return
            else:
                failures.append(f"thread {offset}: no error")
                return

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def _run_python(
    code: str, python_dir: Path, env_updates: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (TEXTLIB_ENV_VAR, "LD_LIBRARY_PATH")
    }
    env.update(env_updates)
    env["PYTHONPATH"] = str(python_dir)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )


def test_a_fresh_process_finds_the_library_through_the_env_var(
    textlib_python_dir: Path, textlib_lib_dir: Path, tmp_path: Path
) -> None:
    proc = _run_python(
        "import textlib; print(textlib.api.to_hex(b'hi'), textlib.api.version())",
        textlib_python_dir,
        {TEXTLIB_ENV_VAR: str(textlib_lib_dir)},
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["6869", "1.4.2"]


def test_without_its_env_var_the_import_names_it(
    textlib_python_dir: Path, textlib_lib_dir: Path, tmp_path: Path
) -> None:
    # VIX_LIB_PATH is some other package's variable: it must not be consulted.
    proc = _run_python(
        "import textlib",
        textlib_python_dir,
        {"VIX_LIB_PATH": str(textlib_lib_dir)},
        tmp_path,
    )
    assert proc.returncode != 0
    assert "LibraryNotFoundError" in proc.stderr
    assert "libtextlib.so" in proc.stderr
    assert TEXTLIB_ENV_VAR in proc.stderr
