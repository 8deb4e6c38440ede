"""``vix-ffi check`` on a C++ library written like the seed's original C++ example
(tests/fixtures/check_cpp/rawlib.cpp): each function builds its output in a
``std::string`` and has no try/catch. The mistakes a C++ author makes are reported once,
in the author's terms: an exception escaping the function, a function without
``extern "C"``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from check_helpers import CPP_SPEC, CXX_FLAGS, REPO_ROOT, run_check


def test_an_escaping_exception_is_reported_once_naming_its_type(
    cpp_libs: dict[str, Path],
) -> None:
    """BUG_THROW: decode throws std::invalid_argument on a bad digit. The first rule that
    meets it says which exception escaped which function and what catches it; the
    function's other rules it ends are skipped pointing there, not repeated."""
    run = run_check("--spec", str(CPP_SPEC), "--lib", str(cpp_libs["THROW"]))
    assert run.code == 1, run.describe()
    decode = [r for r in run.results() if r["function"] == "hex_decode"]
    failed = [r for r in decode if r["outcome"] == "fail"]
    assert len(failed) == 1, run.describe()
    (first,) = failed
    assert first["seen"] == (
        "a C++ exception (std::invalid_argument) escaped raw_hex_decode(): "
        "the process aborted"
    ), first
    assert "vix_ffi.hpp" in first["expected"] and "catch" in first["expected"], first
    # None of the checker's own internals in the report.
    assert first["detail"] is None, first
    assert "Rust" not in run.stdout
    skipped = [r for r in decode if r["outcome"] == "skip"]
    assert skipped, run.describe()
    for r in skipped:
        assert r["seen"] == (
            "not checked past the exception that escapes raw_hex_decode() "
            f"(reported under {first['rule']})"
        ), r
    # encode throws nothing of its own: only std::bad_alloc, under allocation-failure,
    # as in the conformant build.
    assert {
        r["rule"]
        for r in run.results()
        if r["function"] == "hex_encode" and r["outcome"] != "pass"
    } == {"allocation-failure"}, run.describe()


def test_a_function_without_extern_c_is_named_with_its_mangled_symbol(
    cpp_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(CPP_SPEC), "--lib", str(cpp_libs["NO_EXTERN_C"]))
    assert run.code == 1, run.describe()
    # (encode, written the same way, fails allocation-failure as in every build.)
    assert run.failed() == {
        ("hex_decode", "symbol"),
        ("hex_encode", "allocation-failure"),
    }, run.describe()
    result = run.outcome("hex_decode", "symbol")
    assert result["seen"].startswith(
        "raw_hex_decode is not exported by the library, which exports "
        "_Z14raw_hex_decode"
    ), result
    assert 'extern "C"' in result["seen"] and 'extern "C"' in result["expected"]


def test_the_std_string_build_fails_allocation_failure_only(
    cpp_libs: dict[str, Path],
) -> None:
    """The seed's example, as written: std::string outputs and no try/catch. Every rule
    passes but allocation-failure, where std::bad_alloc escapes, and the report says what
    to change: catch it (and everything else), as vix_ffi.hpp's helpers do."""
    run = run_check("--spec", str(CPP_SPEC), "--lib", str(cpp_libs["NONE"]))
    assert run.code == 1, run.describe()
    assert run.failed() == {
        ("hex_encode", "allocation-failure"),
        ("hex_decode", "allocation-failure"),
    }, run.describe()
    assert {r["outcome"] for r in run.results()} == {"pass", "fail"}, run.describe()
    result = run.outcome("hex_encode", "allocation-failure")
    assert "with allocation 1 of the" in result["input"], result
    assert result["seen"] == (
        "a C++ exception (std::bad_alloc) escaped raw_hex_encode(): the process aborted"
    ), result
    assert "std::bad_alloc" in result["expected"], result
    assert "vix_ffi.hpp" in result["expected"], result


def test_the_cpp_example_passes_every_rule(work_dir: Path) -> None:
    """examples/base64_ffi_cpp, written with vix_ffi.hpp, built here with the compiler
    alone (its CMake build is the C++ suite's business): every rule passes, allocation
    failure included, and a short fuzz run."""
    src = REPO_ROOT / "examples" / "base64_ffi_cpp"
    out = work_dir / "check" / "base64_ffi_cpp"
    out.mkdir(parents=True, exist_ok=True)
    lib = out / "libbase64_ffi_cpp.so"
    cxx = os.environ.get("VIX_TEST_CXX") or "g++"
    subprocess.run(
        [
            cxx,
            *CXX_FLAGS,
            '-DBASE64_FFI_CPP_VERSION="0.1.0"',
            f"-I{REPO_ROOT / 'include'}",
            f"-I{src / 'include'}",
            *(str(p) for p in sorted((src / "src").glob("*.cpp"))),
            "-o",
            str(lib),
        ],
        check=True,
    )
    run = run_check(
        "--spec", str(src / "bindings.json"), "--lib", str(lib), "--fuzz", "1"
    )
    assert run.code == 0, run.describe()
    assert {r["outcome"] for r in run.results()} == {"pass"}, run.describe()
    assert run.outcome("decode", "fuzz")["outcome"] == "pass"
    # decode builds its error messages in std::string: those allocations were failed.
    seen = run.outcome("decode", "allocation-failure")["seen"]
    assert "calls with one allocation failing" in seen, seen
