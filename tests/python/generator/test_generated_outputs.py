"""How the generated api sizes, fills and hands back outputs, against scripted native
functions: the size query and exact allocation of large outputs, retries, errors at each
step, str outputs that are not ASCII or not UTF-8, the ASCII promise ("ascii": true,
which the example makes for encode) that skips the check, the declared output size
("output_blocks", which the example declares for encode) that skips the size query, the
copying fallback used where CPython's object layout is not known, and that none of it
leaks an object.

Each scenario runs in a child process (the fallback is switched on by changing module
state), on this interpreter and on a Python 3.8 one when there is one: against the
example's package as shipped, and against one generated from its manifest without the
promise and the declaration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from generator_support import Case
from test_generated_runtime import python38

CHILD = r"""
import ctypes, gc, json, sys, tracemalloc
from ctypes import POINTER, c_int, c_size_t, c_void_p

from base64_ffi import _native, _vix_runtime, api

proto = ctypes.CFUNCTYPE(
    c_int, c_void_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t),
    POINTER(_native.VixStatus),
)
OK, TOO_SMALL, INVALID = 0, 3, 2


def scripted(answers):
    # answers[i] = (status code, out_len, payload or None) for call i (the last one
    # repeats); the return code is 0 exactly when the status is OK.
    caps = []

    def fake(in_ptr, in_len, out_ptr, out_cap, out_len, status):
        code, size, payload = answers[min(len(caps), len(answers) - 1)]
        caps.append(out_cap)
        inputs.append((in_ptr, in_len))
        if payload is not None:
            assert out_ptr and len(payload) <= out_cap
            ctypes.memmove(out_ptr, payload, len(payload))
        out_len[0] = size
        status[0].code = code
        status[0].message.ptr = None
        status[0].message.len = 0
        return 0 if code == OK else 1

    return proto(fake), caps


def run(name, data, answers):
    function, caps = scripted(answers)
    saved = getattr(_native, name)
    setattr(_native, name, function)
    try:
        result = getattr(api, name)(data)
        refs = sys.getrefcount(result)
        value = result if isinstance(result, str) else result.decode("latin-1")
        return {"type": type(result).__name__, "value": value, "refs": refs,
                "caps": caps}
    except Exception as err:
        return {"error": type(err).__name__, "caps": caps}
    finally:
        setattr(_native, name, saved)


inputs = []
BIG = b"x" * 50000
N = 80000
ascii_out = b"A" * N
utf8_out = ("\u00e9" * (N // 2)).encode("utf-8")
bad_out = b"A" * (N - 1) + b"\xff"
scenarios = {
    "str ascii": ("encode", BIG, [(TOO_SMALL, N, None), (OK, N, ascii_out)]),
    "str empty": ("encode", BIG, [(OK, 0, None)]),
    "str query refused": ("encode", BIG, [(INVALID, 0, None)]),
    "str grows": ("encode", BIG, [(TOO_SMALL, N, None), (TOO_SMALL, N + 5, None),
                                  (OK, N + 5, b"B" * (N + 5))]),
    "str fewer than asked": ("encode", BIG, [(TOO_SMALL, N, None), (OK, 7, b"C" * 7)]),
    "str keeps growing": ("encode", BIG, [(TOO_SMALL, N, None), (TOO_SMALL, N + 1, None),
                                          (TOO_SMALL, N + 2, None),
                                          (TOO_SMALL, N + 3, None)]),
    "str small then large": ("encode", b"abc", [(TOO_SMALL, N, None), (OK, N, ascii_out)]),
    "str fails after writing": ("encode", BIG, [(TOO_SMALL, N, None),
                                                (INVALID, 0, ascii_out)]),
    "bytes": ("decode", BIG, [(TOO_SMALL, N, None), (OK, N, bad_out)]),
    "bytes fewer than asked": ("decode", BIG, [(TOO_SMALL, N, None), (OK, 9, b"\x00" * 9)]),
    "bytes grows": ("decode", bytearray(BIG), [(TOO_SMALL, N, None),
                                               (TOO_SMALL, N + 3, None),
                                               (OK, N + 3, b"\x80" * (N + 3))]),
}
mode, promise = sys.argv[1], sys.argv[2]
if promise == "checked":
    # Without the promise, outputs that are not ASCII are decoded as UTF-8; with it,
    # they are the library's bug, and not looked at.
    scenarios["str utf8"] = ("encode", BIG, [(TOO_SMALL, N, None), (OK, N, utf8_out)])
    scenarios["str invalid utf8"] = ("encode", BIG, [(TOO_SMALL, N, None),
                                                     (OK, N, bad_out)])

else:
    # The declared size of encode's output for BIG (4 * ceil(50000 / 3)) is the first
    # capacity: one call when the library writes it all, a copy when it writes less.
    D = 66668
    scenarios["str declared"] = ("encode", BIG, [(OK, D, b"D" * D)])
    scenarios["str declared, fewer written"] = ("encode", BIG, [(OK, D - 4, b"E" * (D - 4))])
    scenarios["str declared, too small"] = ("encode", BIG, [(TOO_SMALL, D, None)])

if mode == "copy":
    _vix_runtime._STR_DATA = None
    _vix_runtime._BYTES_DATA = None

# Every ASCII check of a large str output goes through this global of the runtime.
checks = []
decode_ascii = _vix_runtime._decode_ascii


def counted(*args):
    checks.append(args[1])
    return decode_ascii(*args)


_vix_runtime._decode_ascii = counted
run(*scenarios["str ascii"])
checked_bytes = sum(checks)
results = {name: run(*s) for name, s in scenarios.items()}
results["checked bytes"] = checked_bytes

# str inputs: a large ASCII one is passed as its own data, others as UTF-8 bytes.
one_call = [(OK, 3, b"abc")]
for text in ("A" * 50000, "\u00e9" * 30000, "short"):
    del inputs[:]
    run("decode", text, one_call)
    (address, size), = inputs
    data_offset = _vix_runtime._STR_DATA
    own = data_offset is not None and address == id(text) + data_offset
    results["str in " + text[:1]] = {"size": size, "own data": own}

# Nothing is left behind: neither cycles nor objects that lost their last reference.
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
for _ in range(30):
    for s in scenarios.values():
        run(*s)
gc.disable()
after = tracemalloc.get_traced_memory()[0]
results["garbage"] = gc.collect()
results["growth"] = after - before
print(json.dumps(results))
"""

N = 80000  # above the first capacity of the copying fallback (75064)
SMALL = 16384


DECLARED = 66668  # encode's declared output size for 50000 bytes: 4 * ceil(50000 / 3)


@pytest.fixture(scope="session")
def unpromised(
    cases: dict[str, Case], work_dir: Path, gen_python: Callable[[Path, Path], Path]
) -> Case:
    """The example's package generated from its manifest without any ASCII promise or
    declared output size."""
    case = cases["base64_ffi"]
    manifest = json.loads(json.dumps(case.manifest))
    promised = [e for e in manifest["python"]["api"] if e.pop("ascii", False)]
    assert [e["name"] for e in promised] == ["encode"]
    declared = [e for e in manifest["python"]["api"] if e.pop("output_blocks", None)]
    assert [e["name"] for e in declared] == ["encode"]
    folder = work_dir / "generator" / "base64_ffi_unpromised"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    spec = folder / "bindings.json"
    spec.write_text(json.dumps(manifest), encoding="utf-8")
    return Case(case.name, manifest, gen_python(spec, folder / "out"))


def run_child(
    python: str, case: Case, lib_dir: Path, mode: str, promise: str
) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "LD_LIBRARY_PATH", "VIX_LIB_PATH", case.env_var)
    }
    env["PYTHONPATH"] = str(case.python_dir)
    env[case.env_var] = str(lib_dir)
    # The scripted natives replace _native's bindings, which only the ctypes backend
    # calls: this is a test of _vix_runtime.py.
    env["VIX_FFI_BACKEND"] = "ctypes"
    proc = subprocess.run(
        [python, "-c", CHILD, mode, promise],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def check(result: dict[str, Any], mode: str, promise: str) -> None:
    # Direct writes ask for the size first (capacity 0); the copying fallback starts
    # from the first capacity, 1.5 times the input plus 64 bytes. Where the manifest
    # declares the size (the example's encode), both start from it.
    first_dec = [0] if mode == "direct" else [50000 + 25000 + 64]
    first = [DECLARED] if promise == "promised" else first_dec

    def ok(name: str, value: str, caps: list[int], kind: str = "str") -> None:
        r = result[name]
        assert r.get("error") is None, (name, r)
        assert (r["type"], r["value"], r["caps"]) == (kind, value, caps), name
        if len(value) > 1:  # the empty and 1-character strings are shared
            assert r["refs"] == 2, name  # the caller's and getrefcount's own

    ok("str ascii", "A" * N, [*first, N])
    if promise == "checked":
        ok("str utf8", "\u00e9" * (N // 2), [*first, N])
        assert result["str invalid utf8"]["error"] == "UnicodeDecodeError"
    else:
        assert "str utf8" not in result
    # A promised output is returned unchecked; an unpromised one is checked in full
    # (the copying fallback decodes it instead).
    expected_checks = N if (mode, promise) == ("direct", "checked") else 0
    assert result["checked bytes"] == expected_checks
    ok("str empty", "", first)
    assert result["str query refused"] == {
        "error": "InvalidArgumentError",
        "caps": first,
    }
    ok("str grows", "B" * (N + 5), [*first, N, N + 5])
    ok("str fewer than asked", "C" * 7, [*first, N])
    kept_growing = result["str keeps growing"]
    assert kept_growing["error"] == "BufferTooSmallError"
    assert len(kept_growing["caps"]) == 4
    ok("str small then large", "A" * N, [SMALL, N])
    assert result["str fails after writing"]["error"] == "InvalidArgumentError"
    latin1 = (b"A" * (N - 1) + b"\xff").decode("latin-1")
    ok("bytes", latin1, [*first_dec, N], "bytes")
    ok("bytes fewer than asked", "\x00" * 9, [*first_dec, N], "bytes")
    ok("bytes grows", "\x80" * (N + 3), [*first_dec, N, N + 3], "bytes")
    if promise == "promised":
        ok("str declared", "D" * DECLARED, [DECLARED])
        ok("str declared, fewer written", "E" * (DECLARED - 4), [DECLARED])
        # BUFFER_TOO_SMALL for the declared size without asking for more.
        assert result["str declared, too small"] == {
            "error": "BufferTooSmallError",
            "caps": [DECLARED],
        }
    else:
        assert "str declared" not in result
    assert result["str in A"] == {"size": 50000, "own data": mode == "direct"}
    assert result["str in \u00e9"] == {"size": 60000, "own data": False}
    assert result["str in s"] == {"size": 5, "own data": False}
    assert result["garbage"] == 0
    # 30 rounds of every scenario allocate over 20 MB; what stays is noise.
    assert result["growth"] < 200_000, result["growth"]


def case_for(promise: str, cases: dict[str, Case], unpromised: Case) -> Case:
    return cases["base64_ffi"] if promise == "promised" else unpromised


@pytest.mark.parametrize("promise", ["promised", "checked"])
@pytest.mark.parametrize("mode", ["direct", "copy"])
def test_outputs(
    cases: dict[str, Case],
    unpromised: Case,
    stub_lib_dirs: dict[str, Path],
    mode: str,
    promise: str,
) -> None:
    case = case_for(promise, cases, unpromised)
    lib_dir = stub_lib_dirs["base64_ffi"]
    check(run_child(sys.executable, case, lib_dir, mode, promise), mode, promise)


@pytest.mark.parametrize("promise", ["promised", "checked"])
@pytest.mark.parametrize("mode", ["direct", "copy"])
def test_outputs_on_python_3_8(
    cases: dict[str, Case],
    unpromised: Case,
    stub_lib_dirs: dict[str, Path],
    mode: str,
    promise: str,
) -> None:
    python = python38()
    if python is None:
        pytest.skip("no Python 3.8 interpreter (set VIX_TEST_PYTHON38 to one)")
    case = case_for(promise, cases, unpromised)
    lib_dir = stub_lib_dirs["base64_ffi"]
    check(run_child(python, case, lib_dir, mode, promise), mode, promise)
