"""The example library, called from C and C++ programs through its shipped header
(`examples/base64_ffi/include/base64/base64_ffi.h`) and linked like any shared library.

This lives with the Python suites because it needs the release-built
``libbase64_ffi.so`` that ``cargo xtask test`` builds before running them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from vix_test_env import c_compiler

REPO_ROOT = Path(__file__).resolve().parents[3]
CLIENT = Path(__file__).resolve().parent / "base64_client.c"

COMPILERS = {
    "c11": [c_compiler(), "-std=c11", "-x", "c"],
    "c++17": [os.environ.get("VIX_TEST_CXX") or "g++", "-std=c++17", "-x", "c++"],
}


@pytest.mark.parametrize("lang", sorted(COMPILERS))
def test_c_and_cxx_clients_of_the_example_library(
    lang: str, lib_dir: Path, work_dir: Path
) -> None:
    library = lib_dir / "libbase64_ffi.so"
    if not library.exists():
        pytest.fail(
            f"{library} is missing: run `cargo build --release -p base64_ffi` first"
        )
    exe = work_dir / f"base64_client_{lang.replace('+', 'x')}"
    compile_cmd = [
        *COMPILERS[lang],
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Werror",
        "-Wconversion",
        f"-I{REPO_ROOT / 'include'}",
        f"-I{REPO_ROOT / 'examples' / 'base64_ffi' / 'include'}",
        str(CLIENT),
        "-x",
        "none",
        f"-L{lib_dir}",
        "-lbase64_ffi",
        f"-Wl,-rpath,{lib_dir}",
        "-o",
        str(exe),
    ]
    built = subprocess.run(compile_cmd, capture_output=True, text=True, check=False)
    assert built.returncode == 0, f"{' '.join(compile_cmd)}\n{built.stderr}"
    ran = subprocess.run([str(exe)], capture_output=True, text=True, check=False)
    assert (ran.returncode, ran.stdout) == (0, "ok\n"), ran.stdout + ran.stderr
