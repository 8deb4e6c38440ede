"""Fixtures for the ``vix-ffi check`` suite.

``tests/fixtures/check/fixlib.c`` is a small hex codec written in C against the ABI
headers; each ``-DBUG_<NAME>`` build breaks exactly one rule of the contract.
``tests/fixtures/c_typed/typedlib.c`` does the same for the rules of typed signatures,
``tests/fixtures/c_objects/objlib.c`` for those of objects (``tests/fixtures/cpp_objects``
is built once, conformant, with the C++ compiler). These
fixtures compile every build once per session into the ``work_dir`` folder of the parent
conftest and run the ``vix-ffi`` binary (``VIX_FFI_BIN``) on them and on the example
library (``VIX_TEST_LIB_DIR``). The compiler is ``gcc`` unless ``VIX_TEST_CC`` names
another one taking GCC-style flags.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from check_helpers import (
    BUGS,
    C_FLAGS,
    CPP_BUGS,
    CPP_DIR,
    CPP_OBJECTS_DIR,
    CXX_FLAGS,
    FIXTURE_DIR,
    OBJECTS_BUGS,
    OBJECTS_DIR,
    REPO_ROOT,
    TYPED_BUGS,
    TYPED_DIR,
)
from vix_test_env import c_compiler


def build_all(
    root: Path,
    source: Path,
    lib_name: str,
    bugs: list[str],
    compiler: list[str] | None = None,
) -> dict[str, Path]:
    """Every ``-DBUG_<BUG>`` build of ``source``: ``root/<BUG>/<lib_name>``, with the C
    compiler and flags unless ``compiler`` gives others."""
    shutil.rmtree(root, ignore_errors=True)
    libs = {}
    for bug in bugs:
        out_dir = root / bug
        out_dir.mkdir(parents=True)
        out = out_dir / lib_name
        cmd = [
            *(compiler or [c_compiler(), *C_FLAGS]),
            f"-I{REPO_ROOT / 'include'}",
            f"-DBUG_{bug}",
            str(source),
            "-o",
            str(out),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed:\n{proc.stderr}", pytrace=False)
        libs[bug] = out
    return libs


@pytest.fixture(scope="session")
def fixture_libs(work_dir: Path) -> dict[str, Path]:
    """Every build of fixlib.c, by bug: ``work_dir/check/fixlib/<BUG>/libfixlib.so``."""
    return build_all(
        work_dir / "check" / "fixlib", FIXTURE_DIR / "fixlib.c", "libfixlib.so", BUGS
    )


@pytest.fixture(scope="session")
def typed_libs(work_dir: Path) -> dict[str, Path]:
    """Every build of typedlib.c (tests/fixtures/c_typed), by bug:
    ``work_dir/check/typedlib/<BUG>/libtypedlib.so``."""
    return build_all(
        work_dir / "check" / "typedlib",
        TYPED_DIR / "typedlib.c",
        "libtypedlib.so",
        TYPED_BUGS,
    )


@pytest.fixture(scope="session")
def objects_libs(work_dir: Path) -> dict[str, Path]:
    """Every build of objlib.c (tests/fixtures/c_objects), by bug:
    ``work_dir/check/objlib/<BUG>/libobjlib.so``."""
    return build_all(
        work_dir / "check" / "objlib",
        OBJECTS_DIR / "objlib.c",
        "libobjlib.so",
        OBJECTS_BUGS,
    )


@pytest.fixture(scope="session")
def cpp_objects_lib(work_dir: Path) -> Path:
    """tests/fixtures/cpp_objects/cppstats.cpp, built as its CMakeLists.txt would (the
    flags of vix_ffi_add_library) with ``$VIX_TEST_CXX`` or ``g++``:
    ``work_dir/check/cppstats/NONE/libcppstats.so``."""
    cxx = os.environ.get("VIX_TEST_CXX") or "g++"
    libs = build_all(
        work_dir / "check" / "cppstats",
        CPP_OBJECTS_DIR / "cppstats.cpp",
        "libcppstats.so",
        ["NONE"],
        [cxx, *CXX_FLAGS, '-DCPPSTATS_VERSION="0.1.0"'],
    )
    return libs["NONE"]


@pytest.fixture(scope="session")
def cpp_libs(work_dir: Path) -> dict[str, Path]:
    """Every build of check_cpp/rawlib.cpp, by bug (``$VIX_TEST_CXX`` or ``g++``):
    ``work_dir/check/rawlib/<BUG>/librawlib.so``."""
    cxx = os.environ.get("VIX_TEST_CXX") or "g++"
    return build_all(
        work_dir / "check" / "rawlib",
        CPP_DIR / "rawlib.cpp",
        "librawlib.so",
        CPP_BUGS,
        [cxx, *CXX_FLAGS],
    )


@pytest.fixture(scope="session")
def example_lib(lib_dir: Path) -> Path:
    lib = lib_dir / "libbase64_ffi.so"
    if not lib.exists():
        pytest.fail(f"{lib} does not exist: build it with `cargo build --release`")
    return lib
