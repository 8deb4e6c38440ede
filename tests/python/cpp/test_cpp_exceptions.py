"""C++ exceptions thrown inside an operation come back to Python as a VixError carrying
the message, never as an abort. The throwing is done by libbase64_ffi_cpp_test_hooks,
a test-only library built next to the example (see test_hooks/test_hooks.cpp)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cpp_support import QuickStart

UNKNOWN = "unknown C++ exception (not derived from std::exception)"


def raises(hooks_pkg: ModuleType, hooks_api: ModuleType, command: bytes) -> Any:
    """The VixError that ``run(command)`` raises (``Any``: the class is generated)."""
    with pytest.raises(hooks_pkg.VixError) as info:
        hooks_api.run(command)
    return info.value


@pytest.mark.parametrize(
    "command, message",
    [
        (b"runtime_error:the disk is on fire", "C++ exception: the disk is on fire"),
        (b"size_error:failed while sizing", "C++ exception: failed while sizing"),
        (b"result_error:failed in with_result", "C++ exception: failed in with_result"),
        (b"bad_alloc", "out of memory: std::bad_alloc"),
        (b"huge_alloc", "out of memory: std::bad_alloc"),
        (b"unknown", UNKNOWN),
        (b"ok_code:an error thrown with code OK", "an error thrown with code OK"),
        (
            b"lie",
            "internal error: operation reported 2 bytes written into a buffer of 1",
        ),
    ],
)
def test_exception_becomes_vix_error_with_its_message(
    hooks_pkg: ModuleType, hooks_api: ModuleType, command: bytes, message: str
) -> None:
    err = raises(hooks_pkg, hooks_api, command)
    assert type(err) is hooks_pkg.VixError  # VIX_STATUS_ERROR: the generic class
    assert err.code == 1
    assert err.message == message
    assert str(err).startswith(message) and "VIX_STATUS_ERROR" in str(err)


def test_vix_errors_keep_their_code(
    hooks_pkg: ModuleType, hooks_api: ModuleType
) -> None:
    err = raises(hooks_pkg, hooks_api, b"invalid_arg:bad thing at offset 7")
    assert type(err) is hooks_pkg.InvalidArgumentError and err.code == 2
    assert err.message == "bad thing at offset 7"
    err = raises(hooks_pkg, hooks_api, b"not_supported:no such mode")
    assert type(err) is hooks_pkg.NotSupportedError and err.code == 4
    assert err.message == "no such mode"


def test_long_messages_are_cut_at_a_character_boundary(
    hooks_pkg: ModuleType, hooks_api: ModuleType
) -> None:
    err = raises(hooks_pkg, hooks_api, b"long:5000")  # 10000 bytes of U+00E9
    assert err.message.endswith("...")
    body = err.message[: -len("...")]
    assert body.startswith("C++ exception: \u00e9")
    # Only whole characters: a split one would decode as U+FFFD.
    assert set(body[len("C++ exception: ") :]) == {"\u00e9"}
    assert 1000 < len(err.message.encode()) <= 1024


def test_library_works_after_each_exception(
    hooks_pkg: ModuleType, hooks_api: ModuleType
) -> None:
    for command in (b"bad_alloc", b"unknown", b"huge_alloc", b"runtime_error:x"):
        with pytest.raises(hooks_pkg.VixError):
            hooks_api.run(command)
        assert hooks_api.run(b"echo:still alive") == b"still alive"
        assert hooks_api.run(b"result:with_result too") == b"with_result too"


def test_big_outputs_through_with_result(hooks_api: ModuleType) -> None:
    payload = b"z" * (3 << 20)
    assert hooks_api.run(b"result:" + payload) == payload
    assert hooks_api.run(b"echo:" + payload) == payload


def test_messages_do_not_mix_between_threads(
    hooks_pkg: ModuleType, hooks_api: ModuleType
) -> None:
    """The message buffer is per thread: concurrent failures keep their own text (the
    GIL is released during native calls)."""
    errors: list[str] = []

    def worker(tid: int) -> None:
        for i in range(300):
            text = f"thread {tid} call {i} " + "x" * (i % 50)
            try:
                hooks_api.run(f"runtime_error:{text}".encode())
            except hooks_pkg.VixError as e:
                if e.message != f"C++ exception: {text}":
                    errors.append(e.message)
            else:
                errors.append("no exception")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


class Status(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_int32),
        ("ptr", ctypes.c_void_p),
        ("len", ctypes.c_size_t),
    ]


@pytest.mark.parametrize(
    "what, code, message",
    [
        (0, 0, ""),
        (1, 1, "C++ exception: guard: runtime_error on purpose"),
        (2, 1, "out of memory: std::bad_alloc"),
        (3, 1, UNKNOWN),
        (4, 4, "guard: not supported on purpose"),
    ],
)
def test_guard_for_functions_of_other_shapes(
    quickstart: QuickStart, what: int, code: int, message: str
) -> None:
    lib = ctypes.CDLL(str(quickstart.hooks_library))
    fn = lib.base64_cpp_test_guard
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_int32, ctypes.POINTER(Status)]
    st = Status(-1, None, 0)
    assert fn(what, ctypes.byref(st)) == code
    assert st.code == code
    assert (ctypes.string_at(st.ptr, st.len).decode() if st.len else "") == message
    if code == 0:
        assert st.ptr is None


CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from base64_ffi_cpp_test_hooks import api, VixError
for command in (b"huge_alloc", b"bad_alloc", b"unknown"):
    try:
        api.run(command)
    except VixError as e:
        print(command.decode(), e.code, e.message)
print("survived")
"""


def test_bad_alloc_does_not_abort_the_process(
    hooks_pkg: ModuleType, quickstart: QuickStart
) -> None:
    """In a child process, so that a regression shows as a clear failure, not a dead run."""
    python_dir = Path(str(hooks_pkg.__file__)).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(python_dir)],
        env={"VIX_LIB_PATH": str(quickstart.example_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout.splitlines() == [
        "huge_alloc 1 out of memory: std::bad_alloc",
        "bad_alloc 1 out of memory: std::bad_alloc",
        f"unknown 1 {UNKNOWN}",
        "survived",
    ]
