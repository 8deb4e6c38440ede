"""The typed helpers of include/vix/ffi/vix_ffi.hpp (ABI v1.1) on their own: their unit
checks (typed_check.cpp) pass with g++ and, when it is installed, clang++, under every
warning as an error, with the default and an overridden VIX_FFI_BAD_ALLOC_CODE, and under
AddressSanitizer and UndefinedBehaviorSanitizer; and what the header refuses at compile
time is refused (each refusal next to the same code with a valid value, which compiles);
and the guide's examples of the C++ helper's functions (docs/guide/src/c-cpp-authors.md)
compile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cpp_support import REPO_ROOT, run_checked

HERE = Path(__file__).resolve().parent
INCLUDE = REPO_ROOT / "include"

STRICT = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wshadow",
    "-Wold-style-cast",
]


def compiler(name: str) -> str:
    """g++ (or $VIX_TEST_CXX) must exist; clang++ is skipped when it is not installed."""
    if name == "g++":
        name = os.environ.get("VIX_TEST_CXX") or "g++"
        path = shutil.which(name)
        if path is None:
            pytest.fail(
                f"C++ compiler {name!r} not found (set VIX_TEST_CXX)", pytrace=False
            )
        return path
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install clang)")
    return path


COMPILERS = ["g++", "clang++"]


def build_and_run(
    cxx: str, flags: list[str], tmp_path: Path, env: dict[str, str] | None = None
) -> str:
    binary = tmp_path / "typed_check"
    run_checked(
        [
            cxx,
            *STRICT,
            *flags,
            f"-I{INCLUDE}",
            "-pthread",
            str(HERE / "typed_check.cpp"),
            "-o",
            str(binary),
        ]
    )
    proc = run_checked([str(binary)], env=dict(os.environ, **(env or {})))
    assert "typed_check: all checks passed" in proc.stdout, proc.stdout
    return proc.stdout


@pytest.mark.parametrize("name", COMPILERS)
@pytest.mark.parametrize(
    "flags",
    [
        pytest.param(["-O2"], id="default-code"),
        pytest.param(
            ["-O2", "-DVIX_FFI_BAD_ALLOC_CODE=1500", "-DEXPECTED_BAD_ALLOC_CODE=1500"],
            id="code-1500",
        ),
        pytest.param(
            ["-O0", "-DVIX_FFI_BAD_ALLOC_CODE=1", "-DEXPECTED_BAD_ALLOC_CODE=1"],
            id="generic-error",
        ),
    ],
)
def test_typed_unit_checks(name: str, flags: list[str], tmp_path: Path) -> None:
    build_and_run(compiler(name), flags, tmp_path)


def test_typed_unit_checks_notice_a_wrong_code(tmp_path: Path) -> None:
    """The checks can fail: told to expect another code than the header's, they do."""
    binary = tmp_path / "typed_check_wrong"
    proc = subprocess.run(
        [
            compiler("g++"),
            *STRICT,
            "-DEXPECTED_BAD_ALLOC_CODE=1500",
            f"-I{INCLUDE}",
            "-pthread",
            str(HERE / "typed_check.cpp"),
            "-o",
            str(binary),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "VIX_FFI_BAD_ALLOC_CODE" in proc.stderr, proc.stderr


SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]


@pytest.mark.parametrize("name", COMPILERS)
def test_typed_unit_checks_sanitized(name: str, tmp_path: Path) -> None:
    cxx = compiler(name)
    if name != "g++":
        # clang's sanitizer runtimes are a package of their own (libclang-rt-*-dev).
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
    build_and_run(
        cxx,
        ["-O1", "-g", *SANITIZE, "-fno-omit-frame-pointer", "-DTYPED_CHECK_SANITIZED"],
        tmp_path,
        env={"ASAN_OPTIONS": "detect_leaks=1"},
    )


# ---- compile-time refusals -------------------------------------------------------------

PRELUDE = """#include <vix/ffi/vix_ffi.hpp>
#include <cstdint>
"""

# (id, valid source, refused source, text the compiler's message must contain)
REFUSALS = [
    (
        "constexpr-library-code-below-1000",
        "int f() { constexpr vix::ffi::library_code c{1000}; return c.value(); }\n",
        "int f() { constexpr vix::ffi::library_code c{999}; return c.value(); }\n",
        "library_codes_start_at_1000",
    ),
    (
        "library-code-v-below-1000",
        "int f() { return vix::ffi::library_code_v<1000>.value(); }\n",
        "int f() { return vix::ffi::library_code_v<5>.value(); }\n",
        "start at 1000",
    ),
    (
        "value-result-of-a-non-abi-type",
        "int f(double *o) noexcept { return vix::ffi::value_result(o, nullptr, [] { return 1.0; }); }\n",
        "int f(float *o) noexcept { return vix::ffi::value_result(o, nullptr, [] { return 1.0f; }); }\n",
        "value_result: out_value must point to",
    ),
    (
        "value-result-narrowing",
        (
            "int f(std::int32_t *o, std::int32_t x) noexcept\n"
            "{ return vix::ffi::value_result(o, nullptr, [x] { return x; }); }\n"
        ),
        (
            "int f(std::int32_t *o, std::int64_t x) noexcept\n"
            "{ return vix::ffi::value_result(o, nullptr, [x] { return x; }); }\n"
        ),
        "narrowing",
    ),
    (
        "no-result-with-a-value",
        "int f() noexcept { return vix::ffi::no_result(nullptr, [] {}); }\n",
        "int f() noexcept { return vix::ffi::no_result(nullptr, [] { return 1; }); }\n",
        "no_result: body must return void",
    ),
    (
        "inputs-must-be-named-pairs",
        (
            "int f(const std::uint8_t *p, std::size_t n) noexcept\n"
            '{ return vix::ffi::no_result(nullptr, [](vix::ffi::byte_view) {}, vix::ffi::input{p, n, "p"}); }\n'
        ),
        (
            "int f(const std::uint8_t *p, std::size_t n) noexcept\n"
            "{ return vix::ffi::no_result(nullptr, [](vix::ffi::byte_view) {}, p, n); }\n"
        ),
        "pass inputs as vix::ffi::input",
    ),
]


def compile_source(
    cxx: str, source: str, tmp_path: Path, extra: list[str]
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "tu.cpp"
    path.write_text(PRELUDE + source)
    return subprocess.run(
        [cxx, *STRICT, *extra, f"-I{INCLUDE}", "-fsyntax-only", str(path)],
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
    ok = compile_source(cxx, valid, tmp_path, [])
    assert ok.returncode == 0, ok.stderr
    bad = compile_source(cxx, refused, tmp_path, [])
    assert bad.returncode != 0
    assert says in bad.stderr, bad.stderr


@pytest.mark.parametrize("name", COMPILERS)
@pytest.mark.parametrize(
    "code, accepted",
    [
        ("1000", True),
        ("1", True),
        ("2147483647", True),
        ("999", False),
        ("5", False),
        ("0", False),
        ("-3", False),
    ],
)
def test_bad_alloc_code_is_checked(
    name: str, code: str, accepted: bool, tmp_path: Path
) -> None:
    proc = compile_source(
        compiler(name), "", tmp_path, [f"-DVIX_FFI_BAD_ALLOC_CODE={code}"]
    )
    if accepted:
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode != 0
        assert "VIX_FFI_BAD_ALLOC_CODE must be a library code" in proc.stderr, (
            proc.stderr
        )


@pytest.mark.parametrize("name", COMPILERS)
def test_header_without_rtti_names_the_class_caught(name: str, tmp_path: Path) -> None:
    """-fno-rtti: no typeid, so the message names the closest standard class caught."""
    source = """
#include <cstdio>
#include <string>
struct mine : std::runtime_error { using std::runtime_error::runtime_error; };
int main()
{
    vix_status st;
    vix::ffi::no_result(&st, [] { throw mine("boom"); });
    const std::string a(st.message.ptr, st.message.len);
    vix::ffi::no_result(&st, [] { throw std::invalid_argument("bad"); });
    const std::string b(st.message.ptr, st.message.len);
    std::printf("%s|%s|%d\\n", a.c_str(), b.c_str(), static_cast<int>(st.code));
    return 0;
}
"""
    path = tmp_path / "nortti.cpp"
    path.write_text(PRELUDE + source)
    binary = tmp_path / "nortti"
    run_checked(
        [
            compiler(name),
            *STRICT,
            "-fno-rtti",
            f"-I{INCLUDE}",
            str(path),
            "-o",
            str(binary),
        ]
    )
    out = run_checked([str(binary)]).stdout.strip()
    assert out == "std::runtime_error: boom|std::invalid_argument: bad|2", out


def guide_example(section: str) -> str:
    """The first C++ block of a section of the guide's C and C++ chapter."""
    text = (REPO_ROOT / "docs" / "guide" / "src" / "c-cpp-authors.md").read_text()
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```cpp\n(.*?)```", part, re.DOTALL)
    assert match, f"no C++ block in the guide's '{section}'"
    return match.group(1)


@pytest.mark.parametrize("name", COMPILERS)
@pytest.mark.parametrize(
    "section", ["Writing an operation in C++", "Typed functions in C++"]
)
def test_guide_example_compiles(name: str, section: str, tmp_path: Path) -> None:
    path = tmp_path / "guide.cpp"
    path.write_text(guide_example(section))
    proc = subprocess.run(
        [compiler(name), *STRICT, f"-I{INCLUDE}", "-fsyntax-only", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
