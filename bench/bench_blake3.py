"""Benchmarks of the BLAKE3 example's generated package (``from blake3_ffi import
blake3``) against the ``blake3`` package on PyPI that it stands in for, with
``hashlib.sha256`` and ``hashlib.blake2b`` beside them for orientation, and a verdict for
each target of issue 15 (and the per-call ones of issue 16).

Run by `cargo xtask bench` (which builds the release library, generates the package with
the compiled backend where the generator makes one, and sets PYTHONPATH and
VIX_LIB_PATH); by hand:

    PYTHONPATH=target/bench-blake3/python VIX_LIB_PATH=target/release \
        target/bench-venv/bin/python bench/bench_blake3.py [--quick]

Every contender runs in this one process, measured as bench_base64.py measures (whose
helpers it uses): interleaved rounds in a rotating order, ratios as medians of per-round
ratios. Nothing here is a test: it prints figures and verdicts and exits 0 whatever they
are, unless --strict is given.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench_base64 import (
    MIB,
    Contender,
    Report,
    bench_args,
    finish,
    fmt_rate,
    fmt_ratio,
    fmt_size,
    fmt_time,
    group_rows,
    load_backends,
    measure,
    median,
    paired_ratio,
    print_header,
)


def setup() -> dict[str, Any]:
    import blake3

    ours, compiled = load_backends("blake3_ffi")
    env: dict[str, Any] = {
        "ours": ours.blake3,
        "cours": None if compiled is None else compiled.blake3,
        "oracle": blake3.blake3,
        "hashlib": hashlib,
        "package": ours,
    }
    return env


def check_same(env: dict[str, Any], data: bytes) -> None:
    """The contenders compute the same digest before anyone is timed."""
    want = env["oracle"](data).digest()
    for name in ("ours", "cours"):
        cls = env[name]
        if cls is not None and cls(data).digest() != want:
            raise SystemExit(f"bench: {name} differs from the blake3 package")
        auto = None if cls is None else cls(data, max_threads=cls.AUTO).digest()
        if auto is not None and auto != want:
            raise SystemExit(f"bench: {name} with max_threads=AUTO differs")


def blake3_contenders(
    env: dict[str, Any], stmt: str, what: str, others: Sequence[tuple[str, str]]
) -> list[Contender]:
    """``stmt`` with ``B`` standing for each BLAKE3 class (and ``h`` for a hasher made
    beforehand), then ``others``."""
    cs = []
    for var, name in (
        ("ours", "blake3_ffi (generated)"),
        ("cours", "blake3_ffi (compiled backend)"),
        ("oracle", "blake3 package (PyPI)"),
    ):
        if env[var] is None:
            continue
        e = dict(env, B=env[var], h=env[var]())
        cs.append(Contender(f"{name}: {what}", stmt, e))
    cs += [Contender(name, s, env) for name, s in others]
    return cs


def find(cs: Sequence[Contender], prefix: str) -> Contender:
    return next(c for c in cs if c.name.startswith(prefix))


def per_call(env: dict[str, Any], report: Report, rounds: int, batch: float) -> None:
    env = dict(env, d=os.urandom(64))
    check_same(env, env["d"])
    groups = (
        (
            "blake3(data).digest() of 64 B",
            "B(d).digest()",
            "blake3(d).digest()",
            [
                ("hashlib.sha256(d).digest()", "hashlib.sha256(d).digest()"),
                ("hashlib.blake2b(d).digest()", "hashlib.blake2b(d).digest()"),
            ],
        ),
        (
            "update of 64 B on an existing hasher",
            "h.update(d)",
            "h.update(d)",
            [
                ("hashlib sha256 h.update(d)", "hs.update(d)"),
                ("hashlib blake2b h.update(d)", "hb.update(d)"),
            ],
        ),
    )
    env.update(hs=hashlib.sha256(), hb=hashlib.blake2b())
    for title, stmt, what, others in groups:
        cs = blake3_contenders(env, stmt, what, others)
        measure(cs, rounds, batch)
        base = find(cs, "blake3 package")
        report.table(
            f"Per call: {title}",
            group_rows(cs, None, base),
            ("contender", "median", "min", "time vs blake3 package"),
        )
        for c in cs:
            if not c.name.startswith("blake3_ffi"):
                continue
            r = paired_ratio(c, base)
            compiled = "compiled" in c.name
            report.target(
                f"per call, {title}: {c.name.split(':')[0]} / blake3 package",
                f"{fmt_ratio(r, 1.0)} ({fmt_time(median(c.times))} / "
                f"{fmt_time(median(base.times))})",
                "≤ 1.00x (issue 16)" if compiled else "reported",
                r <= 1.0 if compiled else True,
            )


def throughput(
    env: dict[str, Any],
    report: Report,
    cases: Sequence[tuple[int, bool]],
    rounds: int,
    batch: float,
) -> None:
    for size, threaded in cases:
        data = os.urandom(size)
        e = dict(env, d=data)
        check_same(e, data[: 4 * MIB])
        if threaded:
            stmt, what = "B(d, max_threads=B.AUTO).digest()", "max_threads=AUTO"
        else:
            stmt, what = "B(d).digest()", "one thread"
        others = [] if threaded else [
            ("hashlib.sha256(d).digest()", "hashlib.sha256(d).digest()"),
            ("hashlib.blake2b(d).digest()", "hashlib.blake2b(d).digest()"),
        ]  # fmt: skip
        cs = blake3_contenders(e, stmt, what, others)
        if not threaded:
            # The library's own speed: one call of the hash, no object made or read.
            cs += blake3_contenders(e, "h.update(d)", "h.update(d) only", [])
        n_rounds = rounds if size <= 4 * MIB else max(3, rounds // 3)
        measure(cs, n_rounds, batch)
        base = find(cs, f"blake3 package (PyPI): {what}")
        label = f"blake3(data{', max_threads=AUTO' if threaded else ''}).digest()"
        report.table(
            f"Throughput: {label} of {fmt_size(size)}",
            group_rows(cs, size, base),
            ("contender", "median", "min", "throughput", "time vs blake3 package"),
        )
        if not threaded:
            ours = find(cs, "blake3_ffi (generated): h.update(d) only")
            oracle = find(cs, "blake3 package (PyPI): h.update(d) only")
            speed = paired_ratio(oracle, ours)
            report.target(
                f"throughput, {fmt_size(size)}, h.update(d) only (the library's "
                "speed, no object made): blake3_ffi (generated) / blake3 package",
                f"{fmt_ratio(speed, 1.0)} ({fmt_rate(size, median(ours.times))} / "
                f"{fmt_rate(size, median(oracle.times))})",
                "reported",
                True,
            )
        for c in cs:
            if not c.name.startswith("blake3_ffi") or "only" in c.name:
                continue
            speed = paired_ratio(base, c)
            report.target(
                f"throughput, {fmt_size(size)} {what}: {c.name.split(':')[0]} / "
                "blake3 package speed",
                f"{fmt_ratio(speed, 1.0)} ({fmt_rate(size, median(c.times))} / "
                f"{fmt_rate(size, median(base.times))})",
                "≥ 1.00x",
                speed >= 1.0,
            )
        del cs, e, data


def main(argv: Sequence[str] | None = None) -> int:
    args = bench_args(argv, __doc__, ["call", "throughput"])
    rounds, batch, only = args.rounds, args.batch, args.only

    env = setup()
    import blake3

    print_header(
        "blake3_ffi benchmark",
        f"blake3 package {blake3.__version__}, blake3_ffi on "
        f"{env['package'].BACKEND}"
        f"{'' if env['cours'] is None else ' and compiled'}, library "
        f"{env['package'].api.version()}",
        rounds,
    )
    report = Report()
    started = time.perf_counter()
    if "call" in only:
        per_call(env, report, rounds, batch)
    if "throughput" in only:
        cases = [(MIB, False)]
        if not args.quick:
            cases += [(64 * MIB, False), (64 * MIB, True)]
        else:
            cases += [(8 * MIB, True)]
        throughput(env, report, cases, rounds, batch)
    return finish(report, started, args.strict)


if __name__ == "__main__":
    sys.exit(main())
