"""Benchmarks of the generated base64_ffi package against its own raw bindings, cffi,
the standard library and pybase64, with a verdict for each target of issue 7.

Run by `cargo xtask bench` (which builds the release library, generates the package and
sets PYTHONPATH and VIX_LIB_PATH); by hand:

    PYTHONPATH=target/bench/python VIX_LIB_PATH=target/release \
        target/bench-venv/bin/python bench/bench_base64.py [--quick]

Every contender runs in this one process. Contenders of a group are measured in turns,
round after round, in a rotating order, so that a burst of load from another process
hits all of them alike; a ratio is the median of the per-round ratios. Memory and import
time are measured in child processes. Nothing here is a test: it prints figures and
verdicts and exits 0 whatever they are, unless --strict is given.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections.abc import Callable, Sequence
from typing import Any

KIB = 1 << 10
MIB = 1 << 20

# ---- measuring --------------------------------------------------------------------------


class Contender:
    """One thing to time: a statement run `number` times by timeit, per round."""

    def __init__(self, name: str, stmt: str, env: dict[str, Any]) -> None:
        self.name = name
        self.timer = timeit.Timer(stmt, globals=env)
        self.number = 0
        self.times: list[float] = []  # seconds per call, one per round

    def calibrate(self, batch: float) -> None:
        number = 1
        while True:
            elapsed = self.timer.timeit(number)
            if elapsed >= batch / 4 or number >= 1 << 22:
                break
            number *= 2
        self.number = max(1, int(number * batch / max(elapsed, 1e-9)))


def measure(contenders: Sequence[Contender], rounds: int, batch: float) -> None:
    """Interleaved rounds: every contender once per round, in a rotating order."""
    for c in contenders:
        c.calibrate(batch)
    for r in range(rounds):
        for i in range(len(contenders)):
            c = contenders[(i + r) % len(contenders)]
            c.times.append(c.timer.timeit(c.number) / c.number)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(a: Contender, b: Contender) -> float:
    """Median over rounds of a's time divided by b's time in the same round."""
    return median([x / y for x, y in zip(a.times, b.times)])


def fmt_ratio(ratio: float, goal: float) -> str:
    """A ratio to two decimals, or three when two would print the goal itself (so that
    1.004x is not shown as 1.00x beside a goal of at most 1.00x)."""
    text = f"{ratio:.2f}"
    return f"{ratio:.3f}x" if text == f"{goal:.2f}" else f"{text}x"


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.2f} ms"


def fmt_rate(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e9:.2f} GB/s"


def fmt_size(n: int) -> str:
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= KIB and n % KIB == 0:
        return f"{n // KIB} KiB"
    return f"{n} B"


# ---- report -----------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.verdicts: list[tuple[str, str, str, bool]] = []

    def table(
        self, title: str, rows: Sequence[tuple[str, ...]], head: tuple[str, ...]
    ) -> None:
        print(f"\n### {title}\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        sys.stdout.flush()

    def target(self, name: str, measured: str, goal: str, met: bool) -> None:
        self.verdicts.append((name, measured, goal, met))

    def summary(self) -> bool:
        rows = [
            (name, measured, goal, "MET" if met else "NOT MET")
            for name, measured, goal, met in self.verdicts
        ]
        self.table("Targets", rows, ("target", "measured", "goal", "verdict"))
        met = sum(1 for v in self.verdicts if v[3])
        print(f"\n{met} of {len(self.verdicts)} targets met")
        return met == len(self.verdicts)


def group_rows(
    contenders: Sequence[Contender], nbytes: int | None, base: Contender | None
) -> list[tuple[str, ...]]:
    rows = []
    for c in contenders:
        row = [c.name, fmt_time(median(c.times)), fmt_time(min(c.times))]
        if nbytes is not None:
            row.append(fmt_rate(nbytes, median(c.times)))
        if base is not None:
            row.append("1.00x" if c is base else f"{paired_ratio(c, base):.2f}x")
        rows.append(tuple(row))
    return rows


# ---- contenders -------------------------------------------------------------------------


def load_backends(module: str) -> tuple[Any, Any]:
    """``module`` of a generated package on the ctypes backend, and on the compiled one
    (None when the extension does not load), both in this process: the package is
    imported once with each value of VIX_FFI_BACKEND."""
    import importlib

    package = module.split(".")[0]
    saved = os.environ.get("VIX_FFI_BACKEND")
    loaded = []
    for backend in ("ctypes", "compiled"):
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]
        os.environ["VIX_FFI_BACKEND"] = backend
        try:
            loaded.append(importlib.import_module(module))
        except ImportError as err:
            print(f"- no compiled backend: {err}")
            loaded.append(None)
    if saved is None:
        del os.environ["VIX_FFI_BACKEND"]
    else:
        os.environ["VIX_FFI_BACKEND"] = saved
    return loaded[0], loaded[1]


def setup() -> dict[str, Any]:
    import pybase64

    api, compiled = load_backends("base64_ffi.api")
    from base64_ffi import _native

    env: dict[str, Any] = {
        "api": api,
        "capi": compiled,
        "native": _native,
        "base64": base64,
        "pybase64": pybase64,
        "ctypes": ctypes,
    }
    try:
        import cffi
    except ImportError:
        env["cffi_lib"] = None
    else:
        ffi = cffi.FFI()
        ffi.cdef(
            "int base64_encode(const char *, size_t, char *, size_t, size_t *, void *);"
            "int base64_decode(const char *, size_t, char *, size_t, size_t *, void *);"
        )
        env["ffi"] = ffi
        env["cffi_lib"] = ffi.dlopen(_native.LOADED_FROM)
    return env


def raw_env(env: dict[str, Any], data: bytes, cap: int) -> dict[str, Any]:
    """A bare call's arguments, all prepared beforehand: input, sizes, output buffer,
    out_len and status pointers."""
    native = env["native"]
    out_len = ctypes.c_size_t()
    status = native.VixStatus()
    e = dict(env)
    e.update(
        d=data,
        n=len(data),
        out=ctypes.create_string_buffer(cap),
        cap=cap,
        olp=ctypes.byref(out_len),
        stp=ctypes.byref(status),
        enc=native.encode,
        dec=native.decode,
    )
    # The same symbols without argtypes: ctypes converts nothing but what it is given.
    enc_bare = native.library["base64_encode"]
    dec_bare = native.library["base64_decode"]
    for f in (enc_bare, dec_bare):
        f.restype = ctypes.c_int
    e.update(
        enc_bare=enc_bare,
        dec_bare=dec_bare,
        n_c=ctypes.c_size_t(len(data)),
        cap_c=ctypes.c_size_t(cap),
    )
    if env.get("cffi_lib") is not None:
        ffi = env["ffi"]
        e.update(
            cout=ffi.new("char[]", cap),
            colp=ffi.new("size_t *"),
            cstp=ffi.new("char[24]"),
        )
    return e


def check_raw(e: dict[str, Any], fn: str, expected: bytes) -> None:
    """The raw call really does the work (rc 0, the expected output)."""
    rc = e[fn](e["d"], e["n"], e["out"], e["cap"], e["olp"], e["stp"])
    size = e["olp"]._obj.value
    if rc != 0 or e["out"].raw[:size] != expected:
        raise SystemExit(f"bench: raw {fn} call failed (rc {rc})")


def encode_contenders(
    env: dict[str, Any], data: bytes, per_call: bool
) -> list[Contender]:
    encoded = base64.b64encode(data)
    e = raw_env(env, data, len(encoded) + 64)
    check_raw(e, "enc", encoded)
    assert env["api"].encode(data) == encoded.decode("ascii")
    cs = [
        Contender("api.encode (generated)", "api.encode(d)", e),
        *compiled_contender(env, "api.encode (compiled backend)", "capi.encode(d)", e),
        Contender(
            "bare ctypes call, argtypes, args prepared",
            "enc(d, n, out, cap, olp, stp)",
            e,
        ),
    ]
    if per_call:
        cs.append(
            Contender(
                "bare ctypes call, no argtypes, args prepared",
                "enc_bare(d, n_c, out, cap_c, olp, stp)",
                e,
            )
        )
        if env.get("cffi_lib") is not None:
            cs.append(
                Contender(
                    "cffi ABI mode call, args prepared",
                    "cffi_lib.base64_encode(d, n, cout, cap, colp, cstp)",
                    e,
                )
            )
    cs += [
        Contender("stdlib base64.b64encode", "base64.b64encode(d)", e),
        Contender("pybase64.b64encode", "pybase64.b64encode(d)", e),
    ]
    if not per_call:
        cs.append(
            Contender(
                "pybase64.b64encode_as_string (str)",
                "pybase64.b64encode_as_string(d)",
                e,
            )
        )
    return cs


def decode_contenders(
    env: dict[str, Any], data: bytes, per_call: bool
) -> list[Contender]:
    encoded = base64.b64encode(data)
    e = raw_env(env, encoded, len(data) + 64)
    e["s"] = encoded.decode("ascii")
    check_raw(e, "dec", data)
    assert env["api"].decode(encoded) == data
    cs = [
        Contender("api.decode (generated, bytes in)", "api.decode(d)", e),
        *compiled_contender(
            env, "api.decode (compiled backend, bytes in)", "capi.decode(d)", e
        ),
        Contender(
            "bare ctypes call, argtypes, args prepared",
            "dec(d, n, out, cap, olp, stp)",
            e,
        ),
        Contender("api.decode (generated, str in)", "api.decode(s)", e),
    ]
    if per_call and env.get("cffi_lib") is not None:
        cs.append(
            Contender(
                "cffi ABI mode call, args prepared",
                "cffi_lib.base64_decode(d, n, cout, cap, colp, cstp)",
                e,
            )
        )
    cs += [
        Contender(
            "stdlib base64.b64decode(validate=True)",
            "base64.b64decode(d, validate=True)",
            e,
        ),
        Contender(
            "pybase64.b64decode(validate=True)",
            "pybase64.b64decode(d, validate=True)",
            e,
        ),
    ]
    return cs


def compiled_contender(
    env: dict[str, Any], name: str, stmt: str, e: dict[str, Any]
) -> list[Contender]:
    """The compiled backend's contender, when it loaded (checked against the ctypes
    backend's output first)."""
    if env.get("capi") is None:
        return []
    ctypes_stmt = stmt.replace("capi.", "api.")
    if eval(stmt, dict(e)) != eval(ctypes_stmt, dict(e)):
        raise SystemExit(f"bench: {stmt} differs from {ctypes_stmt}")
    return [Contender(name, stmt, e)]


def find(cs: Sequence[Contender], prefix: str) -> Contender:
    return next(c for c in cs if c.name.startswith(prefix))


# ---- sections ---------------------------------------------------------------------------


def per_call(env: dict[str, Any], report: Report, rounds: int, batch: float) -> None:
    for size in (3, 64, 1 * KIB):
        data = os.urandom(size)
        for kind, make in (
            ("encode", encode_contenders),
            ("decode", decode_contenders),
        ):
            cs = make(env, data, True)
            measure(cs, rounds, batch)
            base = find(cs, "bare ctypes call, argtypes")
            report.table(
                f"Per call: {kind} of {fmt_size(size)} (decoded size)",
                group_rows(cs, None, base),
                ("contender", "median", "min", "vs bare ctypes"),
            )
            if size == 64 and env.get("capi") is not None:
                compiled = find(cs, f"api.{kind} (compiled")
                stdlib = find(cs, f"stdlib base64.b64{kind}")
                limit = 0.6 if kind == "encode" else 0.3
                r = paired_ratio(compiled, stdlib)
                report.target(
                    f"6. per call, {kind} 64 B: compiled backend / {stdlib.name[7:]}",
                    f"{fmt_ratio(r, limit)} ({fmt_time(median(compiled.times))} / "
                    f"{fmt_time(median(stdlib.times))})",
                    f"≤ {limit:.2f}x",
                    r <= limit,
                )
            if size == 64:
                api_c = cs[0]
                r = paired_ratio(api_c, base)
                report.target(
                    f"1. per call, {kind} 64 B: generated / bare ctypes call",
                    f"{fmt_ratio(r, 1.0)} ({fmt_time(median(api_c.times))} / "
                    f"{fmt_time(median(base.times))})",
                    "≤ 1.00x" if kind == "encode" else "≤ 1.00x (reported)",
                    r <= 1.0,
                )


def throughput(
    env: dict[str, Any], report: Report, sizes: Sequence[int], rounds: int, batch: float
) -> None:
    for size in sizes:
        data = os.urandom(size)
        for kind, make in (
            ("encode", encode_contenders),
            ("decode", decode_contenders),
        ):
            cs = make(env, data, False)
            n_rounds = rounds if size <= 4 * MIB else max(3, rounds // 3)
            measure(cs, n_rounds, batch)
            pyb = find(cs, f"pybase64.b64{kind}")
            report.table(
                f"Throughput: {kind} of {fmt_size(size)} (GB/s of decoded bytes)",
                group_rows(cs, size, pyb),
                ("contender", "median", "min", "throughput", "time vs pybase64"),
            )
            api_c = cs[0]
            raw = find(cs, "bare ctypes call, argtypes")
            speed = paired_ratio(pyb, api_c)
            # The same for the raw call into a preallocated buffer: how far a ctypes
            # call can go at all.
            ceiling = paired_ratio(pyb, raw)
            report.target(
                f"2. throughput, {kind} {fmt_size(size)}: generated / pybase64 speed",
                f"{fmt_ratio(speed, 1.0)} ({fmt_rate(size, median(api_c.times))} / "
                f"{fmt_rate(size, median(pyb.times))}; raw call: {ceiling:.2f}x)",
                "≥ 1.00x",
                speed >= 1.0,
            )
            if env.get("capi") is not None:
                compiled = find(cs, f"api.{kind} (compiled")
                r = paired_ratio(compiled, api_c)
                report.target(
                    f"7. no regression, {kind} {fmt_size(size)}: compiled / ctypes backend",
                    f"{fmt_ratio(r, 1.05)} ({fmt_time(median(compiled.times))} / "
                    f"{fmt_time(median(api_c.times))})",
                    "≤ 1.05x",
                    r <= 1.05,
                )
            if size == MIB:
                cost = paired_ratio(api_c, raw)
                report.target(
                    f"3. wrapper cost, {kind} 1 MiB: generated / raw call into a "
                    f"preallocated buffer",
                    f"{fmt_ratio(cost, 1.1)} ({fmt_time(median(api_c.times))} / "
                    f"{fmt_time(median(raw.times))})",
                    "≤ 1.10x",
                    cost <= 1.10,
                )
            del cs
            gc.collect()


def threads(env: dict[str, Any], report: Report, rounds: int, calls: int) -> None:
    """Two threads each encoding `calls` inputs of 4 MiB, against one thread doing the
    same `calls` alone: 2 * T(one) / T(two) is the throughput gain."""
    api = env["api"]
    data = os.urandom(4 * MIB)
    encoded_len = len(base64.b64encode(data))

    def raw_worker() -> Callable[[], None]:
        e = raw_env(env, data, encoded_len + 64)
        enc = e["enc"]
        args = (e["d"], e["n"], e["out"], e["cap"], e["olp"], e["stp"])
        return lambda: enc(*args)

    capi = env.get("capi")
    contenders: dict[str, Callable[[], Callable[[], None]]] = {
        "api.encode (generated)": lambda: lambda: api.encode(data),
        "bare ctypes call, preallocated output": raw_worker,
        "pybase64.b64encode": lambda: lambda: env["pybase64"].b64encode(data),
    }
    if capi is not None:
        contenders["api.encode (compiled backend)"] = lambda: lambda: capi.encode(data)

    def run(nthreads: int, make: Callable[[], Callable[[], None]]) -> float:
        barrier = threading.Barrier(nthreads + 1)
        fns = [make() for _ in range(nthreads)]

        def work(fn: Callable[[], None]) -> None:
            barrier.wait()
            for _ in range(calls):
                fn()

        ts = [threading.Thread(target=work, args=(fn,)) for fn in fns]
        for t in ts:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in ts:
            t.join()
        return time.perf_counter() - t0

    gains: dict[str, list[float]] = {name: [] for name in contenders}
    singles: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        for i in range(len(names)):
            name = names[(i + r) % len(names)]
            one = run(1, contenders[name])
            two = run(2, contenders[name])
            singles[name].append(one)
            gains[name].append(2 * one / two)
    rows = []
    for name in names:
        one = median(singles[name]) / calls
        rows.append(
            (
                name,
                fmt_rate(4 * MIB, one),
                f"{median(gains[name]):.2f}x",
                f"{max(gains[name]):.2f}x",
            )
        )
    report.table(
        f"Threads: encode of 4 MiB inputs, {calls} calls per thread",
        rows,
        ("contender", "one thread", "two threads / one (median)", "best round"),
    )
    g = median(gains[names[0]])
    ceiling = median(gains[names[1]])
    report.target(
        "4. threads: two threads' encode throughput / one thread's (4 MiB inputs)",
        f"{fmt_ratio(g, 1.7)} (raw native calls: {ceiling:.2f}x)",
        "≥ 1.70x",
        g >= 1.7,
    )
    if capi is not None:
        gc_ = median(gains["api.encode (compiled backend)"])
        report.target(
            "4b. threads, compiled backend: two threads' throughput / one thread's",
            f"{fmt_ratio(gc_, 1.7)}",
            "≥ 1.70x",
            gc_ >= 1.7,
        )


def cycles(env: dict[str, Any], report: Report) -> None:
    """Objects left to the cycle collector by 1,000 calls of each kind."""
    api = env["api"]
    VixError = api.VixError  # the class of the package this api was imported with

    data = os.urandom(1000)
    text = base64.b64encode(data)

    def failing() -> None:
        with contextlib.suppress(VixError):
            api.decode("abc!")

    cases: list[tuple[str, Callable[[], object]]] = [
        ("api.encode(1000 B)", lambda: api.encode(data)),
        ("api.encode(100 KiB)", lambda: api.encode(data * 100)),
        ("api.decode(bytes)", lambda: api.decode(text)),
        ("api.decode(str)", lambda: api.decode(text.decode())),
        ("api.decode(bytearray)", lambda: api.decode(bytearray(text))),
        ("api.decode raising InvalidArgumentError", failing),
        ("api.version()", lambda: api.version()),
    ]
    rows = []
    total = 0
    gc.collect()
    gc.disable()
    try:
        for name, fn in cases:
            gc.collect()
            for _ in range(1000):
                fn()
            found = gc.collect()
            total += found
            rows.append((name, str(found)))
    finally:
        gc.enable()
    report.table(
        "Memory: unreachable objects found by gc.collect() after 1,000 calls",
        rows,
        ("calls", "objects"),
    )
    report.target(
        "5. memory: reference cycles left per call",
        f"{total / 7000:.2f} objects",
        "0",
        total == 0,
    )


CHILD_RSS = r"""
import base64, json, os, resource, sys
from base64_ffi import api
kind, calls = sys.argv[1], int(sys.argv[2])
data = os.urandom(1 << 20)
arg = data if kind == "encode" else base64.b64encode(data)
fn = api.encode if kind == "encode" else api.decode
out_size = len(fn(arg))
def status_kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None
# Linux: VmHWM is the peak RSS of this process image (ru_maxrss would carry the
# parent's peak over fork and exec), and writing 5 to clear_refs resets it to the
# current RSS, so the peak of the loop alone is measured.
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
base_kib = status_kib("VmRSS")
if base_kib is None:
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for _ in range(calls):
    fn(arg)
peak_kib = status_kib("VmHWM")
if peak_kib is None:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth": max(0, peak_kib - base_kib) * 1024, "out": out_size}))
"""

CHILD_IMPORT = r"""
import json, sys, time
t0 = time.perf_counter()
import ctypes
t1 = time.perf_counter()
import base64_ffi.api
t2 = time.perf_counter()
print(json.dumps({"ctypes": t1 - t0, "package": t2 - t1}))
"""

# The compiled backend's import, ctypes not imported first (the package does not use it).
CHILD_IMPORT_COMPILED = r"""
import json, sys, time
t0 = time.perf_counter()
import base64_ffi.api
t1 = time.perf_counter()
assert base64_ffi.BACKEND == "compiled" and "ctypes" not in sys.modules
print(json.dumps({"package": t1 - t0}))
"""


def child(
    code: str, *args: str, bytecode: bool = False, **extra_env: str
) -> dict[str, Any]:
    env = dict(os.environ, **extra_env)
    if bytecode:
        # As an installed package is imported: from its cached bytecode.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def memory(report: Report, calls: int) -> None:
    rows = []
    largest = 0
    worst = 0
    for kind in ("encode", "decode"):
        r = child(CHILD_RSS, kind, str(calls))
        largest = max(largest, r["out"])
        worst = max(worst, r["growth"])
        rows.append(
            (
                f"api.{kind}, 1 MiB",
                f"{r['out'] / MIB:.2f} MiB",
                f"{r['growth'] / MIB:.2f} MiB",
                f"{r['growth'] / r['out']:.2f}x",
            )
        )
    report.table(
        f"Memory: peak RSS growth over {calls} calls of 1 MiB, in a child process "
        f"(peak RSS, VmHWM, minus the RSS before the calls)",
        rows,
        ("calls", "output", "peak RSS growth", "growth / output"),
    )
    report.target(
        f"5. memory: peak RSS growth over {calls} calls of 1 MiB",
        f"{worst / MIB:.2f} MiB (largest output {largest / MIB:.2f} MiB)",
        "< 2x largest output",
        worst < 2 * largest,
    )


def import_time(report: Report, runs: int, compiled: bool) -> None:
    child(CHILD_IMPORT, bytecode=True)  # writes the bytecode cache
    rs = [
        child(CHILD_IMPORT, bytecode=True, VIX_FFI_BACKEND="ctypes")
        for _ in range(runs)
    ]
    pkg = median([r["package"] for r in rs])
    ct = median([r["ctypes"] for r in rs])
    with tempfile.TemporaryDirectory() as empty:
        # No bytecode to read (an empty cache folder) nor written: compiled every time.
        compiling = median(
            [
                child(
                    CHILD_IMPORT, PYTHONPYCACHEPREFIX=empty, PYTHONDONTWRITEBYTECODE="1"
                )["package"]
                for _ in range(runs)
            ]
        )
    report.table(
        f"Import time, fresh interpreter (median of {runs})",
        [
            ("import ctypes", fmt_time(ct)),
            ("import base64_ffi.api (after ctypes; loads the library)", fmt_time(pkg)),
            (
                "the same without a bytecode cache (compiles the package)",
                fmt_time(compiling),
            ),
        ],
        ("step", "time"),
    )
    report.target(
        "5. import time of the generated package, ctypes backend (ctypes already "
        "imported)",
        fmt_time(pkg),
        "reported",
        True,
    )
    if not compiled:
        return
    cs = median(
        [
            child(CHILD_IMPORT_COMPILED, bytecode=True, VIX_FFI_BACKEND="compiled")[
                "package"
            ]
            for _ in range(runs)
        ]
    )
    r = cs / (ct + pkg)
    report.target(
        "8. import of the package, compiled backend / ctypes backend (with ctypes)",
        f"{fmt_ratio(r, 0.2)} ({fmt_time(cs)} / {fmt_time(ct + pkg)}; without "
        f"ctypes: {cs / pkg:.2f}x)",
        "≤ 0.20x",
        r <= 0.2,
    )


# ---- main -------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def bench_args(
    argv: Sequence[str] | None, description: str, sections: list[str]
) -> argparse.Namespace:
    """The options every benchmark script takes (``--only`` among ``sections``), parsed;
    ``rounds``, ``batch`` and ``only`` are set from them."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few rounds and no 64 MiB case: checks that it runs",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=15,
        help="interleaved rounds per group (default 15)",
    )
    parser.add_argument(
        "--only",
        choices=sections,
        action="append",
        help="run only these sections",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is not met"
    )
    args = parser.parse_args(argv)
    args.rounds = 3 if args.quick else args.rounds
    args.batch = 0.005 if args.quick else 0.02
    args.only = set(args.only or sections)
    return args


def print_header(title: str, versions: str, rounds: int) -> None:
    """The lines that open a report: the machine, the Python and ``versions`` (the
    contenders'), the load, and how it is measured."""
    print(f"## {title}\n")
    print(f"- machine: {machine()}")
    print(
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{versions}"
    )
    print(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"- {rounds} interleaved rounds per group; times are per call; "
        f"ratios are medians of per-round ratios"
    )
    sys.stdout.flush()


def finish(report: Report, started: float, strict: bool) -> int:
    """Prints the verdicts and the closing line; the exit status (1 when ``strict`` and
    a target is not met)."""
    all_met = report.summary()
    print(
        f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if strict and not all_met else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = bench_args(argv, __doc__, ["call", "throughput", "threads", "memory"])
    rounds, batch, only = args.rounds, args.batch, args.only

    env = setup()
    import pybase64

    native = env["native"]
    print_header(
        "base64_ffi benchmark",
        f"pybase64 {pybase64.get_version()}, library {native.LOADED_FROM}",
        rounds,
    )
    report = Report()
    started = time.perf_counter()
    if "call" in only:
        per_call(env, report, rounds, batch)
    if "throughput" in only:
        sizes = [MIB] if args.quick else [MIB, 64 * MIB]
        throughput(env, report, sizes, rounds, batch)
    if "threads" in only:
        threads(env, report, 3 if args.quick else rounds, 4 if args.quick else 48)
    if "memory" in only:
        cycles(env, report)
        memory(report, 100 if args.quick else 1000)
        import_time(report, 3 if args.quick else 9, env.get("capi") is not None)
    return finish(report, started, args.strict)


if __name__ == "__main__":
    sys.exit(main())
