"""A C++ class exported as an ABI v1.1 object with the object helpers of vix_ffi.hpp
(tests/fixtures/cpp_objects: ``cppstats::stats``, running statistics), built by CMake with
``vix_ffi_add_library()`` against the quick start's ``vix_ffi`` package, and used through
the package ``vix-ffi gen-python`` makes from its hand-written manifest: results against
Python's ``statistics``, each kind of method result, exceptions as Python sees them,
close() and ``with``, every handle released, the raw ABI rules of objects through
``_native``, and threads (the library reports two calls at once on one object, so the
suite sees whether the binding lets one through)."""

from __future__ import annotations

import array
import ctypes
import gc
import importlib
import json
import math
import re
import statistics
import struct
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpp_support import (
    REPO_ROOT,
    QuickStart,
    exported_symbols,
    gen_python,
    import_with_lib_path,
    run_checked,
)
from vix_test_env import vix_ffi_bin

CPP_OBJECTS = REPO_ROOT / "tests" / "fixtures" / "cpp_objects"
MANIFEST = json.loads((CPP_OBJECTS / "bindings.json").read_text())
ENV_VAR = "CPPSTATS_LIB_PATH"
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


class Built:
    def __init__(self, build_dir: Path, log: str) -> None:
        self.build_dir = build_dir
        self.library = build_dir / "libcppstats.so"
        self.log = log


@pytest.fixture(scope="module")
def built(quickstart: QuickStart, cpp_root: Path, build_tools: dict[str, str]) -> Built:
    cmake = build_tools["cmake"]
    build_dir = cpp_root / "build-cppstats"
    configure = run_checked(
        [
            cmake,
            "-S",
            str(CPP_OBJECTS),
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
    python_dir = gen_python(CPP_OBJECTS / "bindings.json", cpp_root / "gen-cppstats")
    package = import_with_lib_path(python_dir, "cppstats", built.build_dir, ENV_VAR)
    native = importlib.import_module("cppstats._native")
    assert Path(native.LOADED_FROM).resolve() == built.library.resolve()
    return package


@pytest.fixture(scope="module")
def api(pkg: ModuleType) -> ModuleType:
    return importlib.import_module("cppstats.api")


@pytest.fixture(scope="module")
def native(pkg: ModuleType) -> ModuleType:
    return importlib.import_module("cppstats._native")


def doubles(values: list[float]) -> bytes:
    return array.array("d", values).tobytes()


# ---- the build -----------------------------------------------------------------------


def test_builds_warning_free(built: Built) -> None:
    assert not re.search(r"warning", built.log, re.IGNORECASE), built.log
    assert "-fvisibility=hidden" in built.log and "-Wextra" in built.log, built.log


def test_exports_exactly_the_manifest_symbols(
    built: Built, build_tools: dict[str, str]
) -> None:
    prefix = MANIFEST["symbol_prefix"]
    wanted = {prefix + f["name"] for f in MANIFEST["functions"]}
    for cls in MANIFEST["classes"]:
        stem = prefix + cls["name"].lower()
        wanted |= {f"{stem}_new", f"{stem}_free"}
        wanted |= {f"{stem}_{m['name']}" for m in cls["methods"]}
    assert exported_symbols(built.library, build_tools["nm"]) == wanted


def test_vix_ffi_check_passes(built: Built) -> None:
    """The checker's rules for the functions; it leaves signatures with objects alone
    for now (reported as SKIP), so this is no check of the class itself."""
    proc = run_checked(
        [
            str(vix_ffi_bin()),
            "check",
            "--spec",
            str(CPP_OBJECTS / "bindings.json"),
            "--lib",
            str(built.library),
            "--jobs",
            "2",
        ]
    )
    assert "0 failed" in proc.stdout, proc.stdout
    assert re.search(r"^PASS\s+live\s+scalar-output", proc.stdout, re.MULTILINE), (
        proc.stdout
    )


def test_version_is_the_cmake_project_version(api: ModuleType) -> None:
    match = re.search(
        r"project\(cppstats VERSION (\S+)",
        (CPP_OBJECTS / "CMakeLists.txt").read_text(),
    )
    assert match and api.version() == match.group(1)


# ---- results -------------------------------------------------------------------------


@SETTINGS
@given(values=st.lists(FINITE, min_size=2, max_size=200), split=st.integers(0, 200))
def test_statistics_match_pythons(
    api: ModuleType, values: list[float], split: int
) -> None:
    s = api.Stats()
    for x in values[:split]:
        assert s.add(x) is s  # "returns": "self" gives the object back, for chaining
    assert s.add_all(doubles(values[split:])) is s
    assert s.count() == len(values)
    assert math.isclose(s.mean(), statistics.fmean(values), rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(
        s.variance(), statistics.pvariance(values), rel_tol=1e-6, abs_tol=1e-6
    )
    assert math.isclose(
        s.variance(ddof=1), statistics.variance(values), rel_tol=1e-6, abs_tol=1e-6
    )


def test_each_kind_of_result(api: ModuleType) -> None:
    s = api.Stats("temperature")
    assert s.is_empty() is True
    assert s.label() == "temperature"
    assert s.summary() == "temperature: n=0"
    s.add(1.5).add(2.5).add_all(memoryview(doubles([5.0])))
    assert s.is_empty() is False
    assert s.summary(unit=" \u00b0C") == "temperature: n=3 mean=3.000000 \u00b0C"
    count, mean, m2 = struct.unpack("=Qdd", s.state())
    assert (count, mean) == (3, 3.0) and math.isclose(m2, 6.5)
    s.reset()
    assert s.count() == 0 and s.state() == bytes(24)


def test_init_parameters(api: ModuleType) -> None:
    assert api.Stats().label() == ""
    assert api.Stats(label="\u00e9t\u00e9").label() == "\u00e9t\u00e9"
    with pytest.raises(TypeError):
        api.Stats("x", 3)  # limit is keyword-only
    s = api.Stats("two", limit=2).add(1).add(2)
    assert s.count() == 2


def test_copy_is_a_new_independent_object(pkg: ModuleType, api: ModuleType) -> None:
    s = api.Stats("a", limit=5).add(1.0).add(3.0)
    c = s.copy()
    assert type(c) is api.Stats and c is not s
    assert (c.label(), c.count(), c.mean()) == ("a", 2, 2.0)
    c.add(8.0)
    assert (s.count(), c.count()) == (2, 3)
    with pytest.raises(pkg.FullError):
        c.add(1).add(1).add(1)  # the copy keeps the limit


def test_merge_takes_another_object_or_itself(api: ModuleType) -> None:
    left, right = [1.0, 2.0, 4.0], [8.0, 16.0]
    a = api.Stats().add_all(doubles(left))
    b = api.Stats().add_all(doubles(right))
    assert a.merge(b) is a
    assert a.count() == 5 and math.isclose(a.mean(), statistics.fmean(left + right))
    assert math.isclose(a.variance(), statistics.pvariance(left + right))
    assert b.count() == 2
    b.merge(b)
    assert b.count() == 4
    assert math.isclose(b.variance(), statistics.pvariance(right * 2))


def test_a_function_returns_a_new_object(api: ModuleType) -> None:
    s = api.Stats("x").add_all(doubles([2.0, 4.0, 9.0]))
    r = api.from_state(s.state())
    assert type(r) is api.Stats
    assert (r.label(), r.count(), r.mean(), r.variance()) == (
        "",
        3,
        s.mean(),
        s.variance(),
    )


def test_constants(api: ModuleType) -> None:
    s = api.Stats()
    assert (s.algorithm, s.state_size) == ("welford", 24)
    assert api.Stats.state_size == len(s.state())
    with pytest.raises(AttributeError):
        s.algorithm = "other"


# ---- exceptions ----------------------------------------------------------------------


def test_exceptions_arrive_as_the_right_python_exceptions(
    pkg: ModuleType, api: ModuleType
) -> None:
    s = pkg.Stats("e", limit=1)
    with pytest.raises(pkg.InvalidArgumentError) as info:
        s.add(math.nan)  # std::domain_error
    err: Any = info.value
    assert isinstance(err, ValueError) and err.code == 2
    assert err.message == "std::domain_error: cannot add NaN"

    with pytest.raises(ValueError, match=r"std::invalid_argument: data holds doubles"):
        s.add_all(b"12345")

    with pytest.raises(pkg.EmptyError) as info:
        s.mean()  # a library code with base ValueError
    err = info.value
    assert isinstance(err, ValueError) and err.code == 1001
    assert err.message == "the mean of no values"
    with pytest.raises(pkg.EmptyError, match="ddof 1 needs more than 1 values"):
        s.add(1.0).variance(ddof=1)

    with pytest.raises(pkg.FullError) as info:
        s.add(2.0)
    err = info.value
    assert isinstance(err, OverflowError) and err.code == 1000
    assert s.count() == 1  # the failed add changed nothing

    with pytest.raises(ValueError, match="a state has 24 bytes, not 3"):
        api.from_state(b"abc")


def test_a_failing_constructor_gives_no_object(
    pkg: ModuleType, api: ModuleType
) -> None:
    gc.collect()
    base = api.live()
    with pytest.raises(pkg.VixError) as info:
        pkg.Stats("x" * 65)  # std::length_error: a generic error, with its type
    err: Any = info.value
    assert err.code == 1
    assert err.message == "std::length_error: a label has at most 64 bytes, this one 65"
    assert api.live() == base


# ---- lifetime ------------------------------------------------------------------------


def test_close_and_with(api: ModuleType) -> None:
    gc.collect()
    base = api.live()
    with api.Stats("w") as s:
        s.add(1.0)
        assert not s.closed and api.live() == base + 1
    assert s.closed and api.live() == base
    with pytest.raises(
        ValueError, match=r"Stats\.count\(\): the Stats object is closed"
    ):
        s.count()
    s.close()  # again: nothing
    t = api.Stats()
    with pytest.raises(ValueError, match="closed"):
        t.merge(s)
    t.close()
    assert api.live() == base


def test_every_handle_is_released(api: ModuleType) -> None:
    gc.collect()
    base = api.live()
    for i in range(2000):
        api.Stats().add(float(i)).copy().merge(api.from_state(bytes(24)))
    gc.collect()
    assert api.live() == base


# ---- the raw ABI -----------------------------------------------------------------------


def status(native: ModuleType) -> Any:
    st = native.VixStatus()
    st.code = -12345
    return st


def message_of(st: Any) -> str:
    return ctypes.string_at(st.message.ptr, st.message.len).decode()


@pytest.fixture
def raw_handle(native: ModuleType, api: ModuleType) -> Any:
    """A handle made and released through _native alone."""
    handle = ctypes.c_void_p()
    st = status(native)
    rc = native.cppstats_stats_new(b"raw", 3, 0, ctypes.byref(handle), ctypes.byref(st))
    assert rc == 0 and st.code == 0 and handle.value
    yield handle
    native.cppstats_stats_free(handle)


def test_raw_null_self_is_invalid_arg(native: ModuleType) -> None:
    """A NULL self gives INVALID_ARG, whatever the kind of result, and touches no
    output."""
    value = ctypes.c_uint64(77)
    mean = ctypes.c_double(-1.0)
    out_len = ctypes.c_size_t(5)
    buf = ctypes.create_string_buffer(64)
    handle = ctypes.c_void_p(1234)
    calls = {
        "add": lambda s: native.cppstats_stats_add(None, 1.0, s),
        "add_all": lambda s: native.cppstats_stats_add_all(None, None, 0, s),
        "merge": lambda s: native.cppstats_stats_merge(None, None, s),
        "count": lambda s: native.cppstats_stats_count(None, ctypes.byref(value), s),
        "mean": lambda s: native.cppstats_stats_mean(None, ctypes.byref(mean), s),
        "label": lambda s: native.cppstats_stats_label(
            None, buf, 64, ctypes.byref(out_len), s
        ),
        "summary": lambda s: native.cppstats_stats_summary(
            None, None, 0, buf, 64, ctypes.byref(out_len), s
        ),
        "copy": lambda s: native.cppstats_stats_copy(None, ctypes.byref(handle), s),
        "reset": lambda s: native.cppstats_stats_reset(None, s),
    }
    for name, call in calls.items():
        st = status(native)
        assert call(ctypes.byref(st)) == 2, name
        assert st.code == 2 and message_of(st) == "self is NULL", name
        assert call(None) == 2, name  # no status pointer: still refused, no crash
    assert (value.value, mean.value, out_len.value, handle.value) == (77, -1.0, 5, 1234)


def test_raw_free_of_null_is_harmless(native: ModuleType, api: ModuleType) -> None:
    base = api.live()
    for _ in range(3):
        assert native.cppstats_stats_free(None) is None
    assert api.live() == base


def test_raw_handles(native: ModuleType, api: ModuleType, raw_handle: Any) -> None:
    st = status(native)
    base = api.live()
    assert native.cppstats_stats_add(raw_handle, 4.0, ctypes.byref(st)) == 0
    copy = ctypes.c_void_p()
    assert (
        native.cppstats_stats_copy(raw_handle, ctypes.byref(copy), ctypes.byref(st))
        == 0
    )
    assert copy.value and copy.value != raw_handle.value and api.live() == base + 1
    count = ctypes.c_uint64()
    assert native.cppstats_stats_count(copy, ctypes.byref(count), ctypes.byref(st)) == 0
    assert count.value == 1
    native.cppstats_stats_free(copy)
    assert api.live() == base

    # NULL out_handle, NULL other: INVALID_ARG, nothing made.
    rc = native.cppstats_stats_copy(raw_handle, None, ctypes.byref(st))
    assert rc == 2 and message_of(st) == "out_handle is NULL"
    rc = native.cppstats_stats_new(b"x", 1, 0, None, ctypes.byref(st))
    assert rc == 2 and message_of(st) == "out_handle is NULL"
    rc = native.cppstats_stats_merge(raw_handle, None, ctypes.byref(st))
    assert rc == 2 and message_of(st) == "other is NULL"
    rc = native.cppstats_stats_new(None, 3, 0, ctypes.byref(copy), ctypes.byref(st))
    assert rc == 2 and message_of(st) == "label_ptr is NULL but label_len is 3"
    assert api.live() == base

    # A failure leaves *out_handle alone.
    made = ctypes.c_void_p(99)
    rc = native.from_state(b"short", 5, ctypes.byref(made), ctypes.byref(st))
    assert rc == 2 and made.value == 99
    rc = native.cppstats_stats_new(
        b"y" * 65, 65, 0, ctypes.byref(made), ctypes.byref(st)
    )
    assert rc == 1 and made.value == 99
    assert api.live() == base


def test_raw_sizing_of_a_method_result(native: ModuleType, raw_handle: Any) -> None:
    st = status(native)
    out_len = ctypes.c_size_t(0)
    rc = native.cppstats_stats_label(
        raw_handle, None, 0, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert (rc, st.code, out_len.value) == (3, 3, 3)  # a size query
    buf = ctypes.create_string_buffer(b"\xa5" * 8, 8)
    rc = native.cppstats_stats_label(
        raw_handle, buf, 2, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert (rc, out_len.value, buf.raw) == (3, 3, b"\xa5" * 8)
    rc = native.cppstats_stats_label(
        raw_handle, buf, 8, ctypes.byref(out_len), ctypes.byref(st)
    )
    assert (rc, out_len.value, buf.raw[:4]) == (0, 3, b"raw\xa5")


# ---- threads -------------------------------------------------------------------------

CHUNK = doubles([float(i % 10) for i in range(4096)])


def hammer(
    stats: Any, rounds: int, errors: list[BaseException], stop: threading.Event
) -> None:
    try:
        for _ in range(rounds):
            if stop.is_set():
                return
            stats.add_all(CHUNK)
            stats.count()
    except BaseException as err:  # noqa: BLE001 - reported by the test
        errors.append(err)
        stop.set()


def run_threads(stats: Any, rounds: int) -> list[BaseException]:
    errors: list[BaseException] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=hammer, args=(stats, rounds, errors, stop))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_eight_threads_on_one_object(api: ModuleType) -> None:
    """The binding serialises calls on one object: the library, which reports two calls
    at once (ConcurrentUseError), never sees one, and nothing is lost."""
    s = api.Stats("shared")
    assert run_threads(s, 200) == []
    assert s.count() == 8 * 200 * 4096
    one = [float(i % 10) for i in range(4096)]
    assert math.isclose(s.mean(), statistics.fmean(one), rel_tol=1e-12)
    assert math.isclose(s.variance(), statistics.pvariance(one), rel_tol=1e-9)


def test_the_library_does_detect_two_calls_at_once(
    built: Built, cpp_root: Path
) -> None:
    """The same library under a manifest that declares the class thread-safe, so that
    the binding lets calls overlap: the library reports it, which shows the test above
    would fail if the binding did not serialise."""
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["classes"][0]["thread_safe"] = True
    manifest["python"]["package"] = "cppstats_unsafe"
    spec = cpp_root / "cppstats_unsafe.json"
    spec.write_text(json.dumps(manifest))
    python_dir = gen_python(spec, cpp_root / "gen-cppstats-unsafe")
    unsafe = import_with_lib_path(
        python_dir, "cppstats_unsafe", built.build_dir, ENV_VAR
    )
    try:
        deadline = time.monotonic() + 60
        errors: list[BaseException] = []
        while not errors and time.monotonic() < deadline:
            errors = run_threads(unsafe.Stats(), 200)
        assert errors, "eight unserialised threads never overlapped in 60 s"
        assert all(type(e) is unsafe.ConcurrentUseError for e in errors), errors
        assert "two calls at once on one Stats object" in str(errors[0])
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "cppstats_unsafe"]:
            del sys.modules[name]
