"""``vix-ffi check`` on a C++ library written like the seed's original C++ example
(tests/fixtures/check_cpp/rawlib.cpp): each function builds its output in a
``std::string`` and has no try/catch. The mistakes a C++ author makes are reported once,
in the author's terms: an exception escaping the function, a function without
``extern "C"``."""

from __future__ import annotations

from pathlib import Path

from check_helpers import CPP_SPEC, run_check


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
    # encode does not throw: untouched.
    assert all(
        r["outcome"] == "pass" for r in run.results() if r["function"] == "hex_encode"
    ), run.describe()


def test_a_function_without_extern_c_is_named_with_its_mangled_symbol(
    cpp_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(CPP_SPEC), "--lib", str(cpp_libs["NO_EXTERN_C"]))
    assert run.code == 1, run.describe()
    assert run.failed() == {("hex_decode", "symbol")}, run.describe()
    result = run.outcome("hex_decode", "symbol")
    assert result["seen"].startswith(
        "raw_hex_decode is not exported by the library, which exports "
        "_Z14raw_hex_decode"
    ), result
    assert 'extern "C"' in result["seen"] and 'extern "C"' in result["expected"]
