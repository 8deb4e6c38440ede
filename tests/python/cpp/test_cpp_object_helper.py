"""The object helpers of include/vix/ffi/vix_ffi.hpp (ABI v1.1 handles) on their own: their
unit checks (object_check.cpp) pass with g++ and, when it is installed, clang++, under every
warning as an error, at several optimisation levels and under AddressSanitizer and
UndefinedBehaviorSanitizer; a broken free is noticed; what the header refuses at compile
time is refused (each refusal next to the same code done right, which compiles); and the
guide's example (docs/guide/src/c-cpp-authors.md) compiles."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from test_cpp_typed_helper import COMPILERS, SANITIZE, STRICT, compiler

from cpp_support import REPO_ROOT, run_checked

HERE = Path(__file__).resolve().parent
INCLUDE = REPO_ROOT / "include"


def build(cxx: str, flags: list[str], tmp_path: Path) -> Path:
    binary = tmp_path / "object_check"
    run_checked(
        [
            cxx,
            *STRICT,
            *flags,
            f"-I{INCLUDE}",
            "-pthread",
            str(HERE / "object_check.cpp"),
            "-o",
            str(binary),
        ]
    )
    return binary


@pytest.mark.parametrize("name", COMPILERS)
@pytest.mark.parametrize("level", ["-O0", "-O2", "-O3"])
def test_object_unit_checks(name: str, level: str, tmp_path: Path) -> None:
    proc = run_checked([str(build(compiler(name), [level], tmp_path))])
    assert "object_check: all checks passed" in proc.stdout, proc.stdout


@pytest.mark.parametrize("name", COMPILERS)
def test_object_unit_checks_sanitized(name: str, tmp_path: Path) -> None:
    cxx = compiler(name)
    if name != "g++":
        probe = tmp_path / "probe.cpp"
        probe.write_text("int main() { return 0; }\n")
        proc = subprocess.run(
            [cxx, *SANITIZE, str(probe), "-o", str(tmp_path / "probe")],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            pytest.skip(
                f"{name} cannot link sanitized programs here: {proc.stderr[:200]}"
            )
    binary = build(cxx, ["-O1", "-g", *SANITIZE, "-fno-omit-frame-pointer"], tmp_path)
    proc = run_checked(
        [str(binary)], env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    )
    assert "object_check: all checks passed" in proc.stdout, proc.stdout


def test_object_unit_checks_notice_a_leaking_free(tmp_path: Path) -> None:
    """The checks can fail: with a free that does nothing, they report the live objects."""
    binary = build(compiler("g++"), ["-O2", "-DOBJECT_CHECK_LEAKY_FREE"], tmp_path)
    proc = subprocess.run([str(binary)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stdout
    assert "check failed: alive.load() == before" in proc.stdout, proc.stdout
    assert "all checks passed" not in proc.stdout


# ---- compile-time refusals -------------------------------------------------------------

PRELUDE = """#include <vix/ffi/vix_ffi.hpp>
#include <cstdint>
namespace lib { struct thing { int n = 0; }; struct plain { using value_type = int; }; }
VIX_FFI_OBJECT(lib_thing, lib::thing);
"""

# (id, valid source, refused source, text the compiler's message must contain)
REFUSALS = [
    (
        "method-on-a-type-that-is-not-a-handle",
        (
            "int f(lib_thing *s, std::int32_t *o) noexcept\n"
            "{ return vix::ffi::value_method(s, o, nullptr, [](lib::thing &t) { return t.n; }); }\n"
        ),
        (
            "int f(lib::plain *s, std::int32_t *o) noexcept\n"
            "{ return vix::ffi::value_method(s, o, nullptr, [](int &t) { return t; }); }\n"
        ),
        "value_method: self must be a handle struct",
    ),
    (
        "make-object-of-a-type-that-is-not-a-handle",
        "int f(lib_thing **o) noexcept { return vix::ffi::make_object(o, nullptr, [] { return lib::thing{}; }); }\n",
        "int f(lib::plain **o) noexcept { return vix::ffi::make_object(o, nullptr, [] { return 1; }); }\n",
        "make_object: the handle struct must derive from vix::ffi::object<T>",
    ),
    (
        "object-input-of-a-type-that-is-not-a-handle",
        (
            "int f(lib_thing *s, lib_thing *o) noexcept { return vix::ffi::no_result_method(s, nullptr,\n"
            '    [](lib::thing &, lib::thing &) {}, vix::ffi::object_input{o, "o"}); }\n'
        ),
        (
            "int f(lib_thing *s, lib::plain *o) noexcept { return vix::ffi::no_result_method(s, nullptr,\n"
            '    [](lib::thing &, int &) {}, vix::ffi::object_input{o, "o"}); }\n'
        ),
        "object_input: the handle struct must derive",
    ),
    (
        "no-result-method-with-a-value",
        "int f(lib_thing *s) noexcept { return vix::ffi::no_result_method(s, nullptr, [](lib::thing &) {}); }\n",
        (
            "int f(lib_thing *s) noexcept\n"
            "{ return vix::ffi::no_result_method(s, nullptr, [](lib::thing &t) { return t.n; }); }\n"
        ),
        "no_result: body must return void",
    ),
    (
        "value-method-narrowing",
        (
            "int f(lib_thing *s, std::int64_t *o) noexcept\n"
            "{ return vix::ffi::value_method(s, o, nullptr, [](lib::thing &) { return std::int64_t{1}; }); }\n"
        ),
        (
            "int f(lib_thing *s, std::int32_t *o) noexcept\n"
            "{ return vix::ffi::value_method(s, o, nullptr, [](lib::thing &) { return std::int64_t{1}; }); }\n"
        ),
        "narrowing",
    ),
    (
        "method-inputs-must-be-named-pairs",
        (
            "int f(lib_thing *s, const std::uint8_t *p, std::size_t n) noexcept { return vix::ffi::no_result_method(\n"
            '    s, nullptr, [](lib::thing &, vix::ffi::byte_view) {}, vix::ffi::input{p, n, "p"}); }\n'
        ),
        (
            "int f(lib_thing *s, const std::uint8_t *p, std::size_t n) noexcept { return vix::ffi::no_result_method(\n"
            "    s, nullptr, [](lib::thing &, vix::ffi::byte_view) {}, p, n); }\n"
        ),
        "pass inputs as vix::ffi::input",
    ),
    (
        "handles-are-not-copied",
        "void f(lib_thing *h) { lib::thing copy = h->get(); static_cast<void>(copy); }\n",
        "void f(lib_thing *h) { lib_thing copy = *h; static_cast<void>(copy); }\n",
        "deleted",
    ),
]


def compile_source(
    cxx: str, source: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "tu.cpp"
    path.write_text(source)
    return subprocess.run(
        [cxx, *STRICT, f"-I{INCLUDE}", "-fsyntax-only", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("name", COMPILERS)
@pytest.mark.parametrize(
    "valid, refused, says", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_compile_time_refusals(
    name: str, valid: str, refused: str, says: str, tmp_path: Path
) -> None:
    cxx = compiler(name)
    ok = compile_source(cxx, PRELUDE + valid, tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = compile_source(cxx, PRELUDE + refused, tmp_path)
    assert bad.returncode != 0
    assert says in bad.stderr, bad.stderr


def guide_classes_example() -> str:
    text = (REPO_ROOT / "docs" / "guide" / "src" / "c-cpp-authors.md").read_text()
    section = text.split("## Classes in C++", 1)[1]
    match = re.search(r"```cpp\n(.*?)```", section, re.DOTALL)
    assert match, "no C++ block in the guide's 'Classes in C++'"
    return match.group(1)


@pytest.mark.parametrize("name", COMPILERS)
def test_guide_classes_example_compiles(name: str, tmp_path: Path) -> None:
    proc = compile_source(compiler(name), guide_classes_example(), tmp_path)
    assert proc.returncode == 0, proc.stderr
