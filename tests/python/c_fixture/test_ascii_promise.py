"""The compiled backend verifies an ASCII promise ("ascii": true) rather than trusting it:
an output with a byte of 0x80 or more is decoded as UTF-8 (or raises the
UnicodeDecodeError of that), exactly as the output of an unpromised function is.

The library is the C fixture's ``textlib_reverse``, which hands back its input reversed,
so that a test decides every output byte. Its package here (``textlib_ascii``) calls it
four ways: promised with a size query, promised with a declared size
(``output_blocks`` 1:1), promised with a declared size twice what it writes (the result
is a copy of the part written), and unpromised. Outputs up to 16 KiB go through a
buffer on the stack; larger ones are written into the result, the GIL released from
32 KiB on, and checked there.

The check has a kernel per instruction set (AVX-512BW, AVX2, eight bytes at a time); the
package is built once per kernel the CPU has (``-DVIX_ASCII_MAX``), and each is given
non-ASCII bytes at the start, the end, the middle and around every vector width.

The ctypes backend trusts the promise (a broken one is the library's bug), so this
suite runs on the compiled backend only.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from vix_test_env import (
    REPO_ROOT,
    backend,
    c_compiler,
    fresh_dir,
    gen_python_compiled,
)

pytestmark = [
    pytest.mark.skipif(
        backend() != "compiled",
        reason="the ctypes backend trusts an ASCII promise: only the compiled one "
        "verifies it",
    ),
    pytest.mark.skipif(
        os.name == "nt", reason="the extension is built with GCC-style flags here"
    ),
]

TEXTLIB_SPEC = REPO_ROOT / "tests" / "fixtures" / "c_textlib" / "bindings.json"
FUNCTIONS = ("promised", "declared", "overdeclared", "unpromised")
SMALL = 16384  # the stack buffer of the compiled backend
SMALL_INPUT = (SMALL - 64) * 2 // 3  # the largest input that goes through it


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def levels() -> list[Any]:
    flags = cpu_flags()
    return [
        pytest.param(0, id="words"),
        pytest.param(
            1,
            id="avx2",
            marks=pytest.mark.skipif("avx2" not in flags, reason="no AVX2 here"),
        ),
        pytest.param(
            2,
            id="avx512bw",
            marks=pytest.mark.skipif(
                "avx512bw" not in flags, reason="no AVX-512BW here"
            ),
        ),
    ]


@pytest.fixture(scope="module", params=levels())
def api(request: Any, work_dir: Path, textlib_lib_dir: Path) -> ModuleType:
    """``textlib_ascii.api``, its extension built with ``-DVIX_ASCII_MAX=<level>``."""
    level: int = request.param
    root = fresh_dir(work_dir / "c_textlib_ascii" / f"level{level}")
    manifest = json.loads(TEXTLIB_SPEC.read_text(encoding="utf-8"))
    manifest["python"]["package"] = "textlib_ascii"
    manifest["python"]["api"] = [
        {"name": "promised", "calls": "reverse", "kind": "bytes_to_str", "ascii": True},
        {
            "name": "declared",
            "calls": "reverse",
            "kind": "bytes_to_str",
            "ascii": True,
            "output_blocks": {"in": 1, "out": 1},
        },
        {
            "name": "overdeclared",
            "calls": "reverse",
            "kind": "bytes_to_str",
            "ascii": True,
            "output_blocks": {"in": 1, "out": 2},
        },
        {"name": "unpromised", "calls": "reverse", "kind": "bytes_to_str"},
    ]
    spec = root / "bindings.json"
    spec.write_text(json.dumps(manifest), encoding="utf-8")
    env = dict(os.environ)
    env["CC"] = f"{c_compiler()} -DVIX_ASCII_MAX={level}"
    proc = gen_python_compiled(spec, root / "gen", sys.executable, env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    # One level's package at a time under this name: the previous one is forgotten.
    python_dir = root / "gen" / "python"
    sys.path[:] = [p for p in sys.path if "c_textlib_ascii" not in p]
    sys.path.insert(0, str(python_dir))
    for name in [m for m in sys.modules if m.split(".")[0] == "textlib_ascii"]:
        del sys.modules[name]
    os.environ["TEXTLIB_LIB_PATH"] = str(textlib_lib_dir)
    package = importlib.import_module("textlib_ascii")
    assert package.BACKEND == "compiled"
    module = importlib.import_module("textlib_ascii.api")
    assert str(module.__file__).startswith(str(python_dir))
    return module


def outcome(call: Any, data: bytes) -> tuple[str, Any]:
    try:
        return ("value", call(data))
    except UnicodeDecodeError as err:
        return ("error", (str(err), err.object, err.start, err.end))


def expected(output: bytes) -> tuple[str, Any]:
    """What every function must give for an output: its UTF-8 decoding, or the error."""
    return outcome(lambda b: b.decode("utf-8"), output)


def check(api: ModuleType, output: bytes) -> None:
    want = expected(output)
    data = output[::-1]  # reverse() hands it back as `output`
    for name in FUNCTIONS:
        got = outcome(getattr(api, name), data)
        assert got == want, (name, len(output), output[:80], output[-80:])
        if got[0] == "value":
            assert type(got[1]) is str
            # Built as ASCII exactly when it is: str's own check agrees.
            assert got[1].isascii() == output.isascii()


def positions(n: int) -> list[int]:
    """The start, the end, the middle, and both sides of every vector width and of the
    four-vector blocks, counted from each end."""
    near = {0, 1, 2, n // 2, n - 1, n - 2, n - 3}
    for w in (8, 16, 32, 64, 128, 256, 512):
        near |= {w - 1, w, w + 1, n - w - 1, n - w, n - w + 1}
    return sorted(p for p in near if 0 <= p < n)


LENGTHS = sorted(
    {*range(140), 191, 192, 193, 255, 256, 257, 300, 511, 512, 513, 1000, 4097}
)
LARGE = [
    SMALL_INPUT,  # the last length through the stack buffer
    SMALL_INPUT + 1,  # written into the result, with the GIL held
    32767,
    32768,  # from here on, the GIL released around the call and the check
    100_003,
    (1 << 20) + 37,
]


@pytest.mark.parametrize(
    "bad", [b"\x80", b"\xff", "\u00e9".encode(), "\u20ac".encode()]
)
def test_a_non_ascii_byte_anywhere_in_a_small_output_is_caught(
    api: ModuleType, bad: bytes
) -> None:
    for n in LENGTHS:
        check(api, b"A" * n)
        for p in positions(n):
            if p + len(bad) <= n:
                check(api, b"A" * p + bad + b"A" * (n - p - len(bad)))


@pytest.mark.parametrize("n", LARGE)
def test_a_non_ascii_byte_anywhere_in_a_large_output_is_caught(
    api: ModuleType, n: int
) -> None:
    check(api, b"A" * n)
    check(api, b"\x7f" * n)  # the largest ASCII byte
    for p in positions(n):
        for bad in (b"\x80", "\u00e9".encode()):
            if p + len(bad) <= n:
                check(api, b"A" * p + bad + b"A" * (n - p - len(bad)))


def test_every_high_byte_is_caught(api: ModuleType) -> None:
    for byte in range(0x80, 0x100):
        for n in (1, 63, 64, 65, 5000, 40000):
            check(api, b"z" * (n - 1) + bytes([byte]))
            check(api, bytes([byte]) + b"z" * (n - 1))


def test_mixed_valid_utf8_is_decoded(api: ModuleType) -> None:
    text = "caf\u00e9 \u20ac \U0001f600 " * 9000  # larger than the stack buffer
    for piece in (text[:3], text[:200], text):
        check(api, piece.encode("utf-8"))


def test_threads_get_their_own_outputs_checked(api: ModuleType) -> None:
    """Large calls check their outputs with the GIL released, several at a time."""
    import threading

    outputs = [
        b"B" * 70000,
        b"C" * 69999 + b"\x80",
        ("\u00e9" * 35000).encode(),
        b"D" * 35000 + b"\xff" + b"D" * 34999,
    ]
    failures: list[Any] = []

    def work(output: bytes) -> None:
        want = expected(output)
        data = output[::-1]
        for _ in range(50):
            got = outcome(api.promised, data)
            if got != want:
                failures.append((output[:10], got[0]))
                return

    threads = [threading.Thread(target=work, args=(o,)) for o in outputs * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_the_library_reverses(api: ModuleType) -> None:
    # What every check above relies on.
    assert api.unpromised(b"abc") == "cba"
    assert api.promised(b"abc") == "cba"
