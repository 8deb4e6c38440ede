"""include/vix/ffi/vix_ffi.hpp on its own: it compiles warning-free under strict flags,
refuses what it does not support, and its unit checks (helper_check.cpp) pass, also under
AddressSanitizer and UndefinedBehaviorSanitizer."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cpp_support import REPO_ROOT, run_checked
from vix_test_env import c_compiler

HERE = Path(__file__).resolve().parent
INCLUDE = REPO_ROOT / "include"

STRICT = [
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wshadow",
    "-Wold-style-cast",
]


def cxx() -> str:
    compiler = os.environ.get("VIX_TEST_CXX") or "g++"
    if shutil.which(compiler) is None:
        pytest.fail(
            f"C++ compiler {compiler!r} not found (set VIX_TEST_CXX)", pytrace=False
        )
    return compiler


def compile_only(
    source: str, flags: list[str], tmp_path: Path, suffix: str = ".cpp"
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"tu{suffix}"
    path.write_text(source)
    compiler = cxx() if suffix == ".cpp" else c_compiler()
    return subprocess.run(
        [compiler, *flags, f"-I{INCLUDE}", "-fsyntax-only", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("std", ["c++17", "c++20"])
def test_header_alone_compiles_with_every_warning_as_error(
    std: str, tmp_path: Path
) -> None:
    # Twice, to exercise the include guard; nothing else before it.
    source = "#include <vix/ffi/vix_ffi.hpp>\n#include <vix/ffi/vix_ffi.hpp>\n"
    proc = compile_only(source, [f"-std={std}", *STRICT], tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_header_says_it_needs_cxx17(tmp_path: Path) -> None:
    proc = compile_only("#include <vix/ffi/vix_ffi.hpp>\n", ["-std=c++14"], tmp_path)
    assert proc.returncode != 0
    assert "needs C++17" in proc.stderr, proc.stderr


def test_header_says_it_is_not_c(tmp_path: Path) -> None:
    proc = compile_only(
        "#include <vix/ffi/vix_ffi.hpp>\n", ["-std=c11"], tmp_path, suffix=".c"
    )
    assert proc.returncode != 0
    assert "vix_ffi.hpp is C++" in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "variant, flags",
    [
        pytest.param("plain", ["-O2"], id="O2"),
        pytest.param(
            "sanitized",
            [
                "-O1",
                "-g",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "-fno-omit-frame-pointer",
            ],
            id="asan-ubsan",
        ),
    ],
)
def test_helper_unit_checks(variant: str, flags: list[str], tmp_path: Path) -> None:
    binary = tmp_path / f"helper_check_{variant}"
    run_checked(
        [
            cxx(),
            "-std=c++17",
            *STRICT,
            *flags,
            f"-I{INCLUDE}",
            "-pthread",
            str(HERE / "helper_check.cpp"),
            "-o",
            str(binary),
        ]
    )
    proc = run_checked(
        [str(binary)], env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    )
    assert "all checks passed" in proc.stdout, proc.stdout
