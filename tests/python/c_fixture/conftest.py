"""Fixtures for the C-library acceptance suite.

`tests/fixtures/c_textlib/` is a library written in plain C against
`include/vix/ffi/`, with its own manifest (all five api kinds, its own environment
variable ``TEXTLIB_LIB_PATH``, library ``textlib``, package ``textlib``). These fixtures
build it with the C compiler, generate its package with ``vix-ffi gen-python`` and import
it, exactly as an outside user would.

The parent ``tests/python/conftest.py`` provides ``work_dir`` and ``lib_dir``. The compiler
is ``gcc`` unless ``VIX_TEST_CC`` names another one taking GCC-style flags.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from vix_test_env import c_compiler, vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[3]
INCLUDE_DIR = REPO_ROOT / "include"
TEXTLIB_DIR = REPO_ROOT / "tests" / "fixtures" / "c_textlib"
TEXTLIB_SPEC = TEXTLIB_DIR / "bindings.json"
TEXTLIB_ENV_VAR = "TEXTLIB_LIB_PATH"

STRICT_C_FLAGS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wconversion",
    "-Wsign-conversion",
]


def run_checked(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs ``cmd`` and fails the test with its full output when it does not succeed."""
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=False, cwd=cwd, env=env
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} exited with {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
            pytrace=False,
        )
    return proc


@pytest.fixture(scope="session")
def textlib_root(work_dir: Path) -> Path:
    root = work_dir / "c_textlib"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


@pytest.fixture(scope="session")
def textlib_lib_dir(textlib_root: Path) -> Path:
    """A folder holding ``libtextlib.so``, built as the fixture's README says."""
    lib_dir = textlib_root / "lib"
    lib_dir.mkdir()
    run_checked(
        [
            c_compiler(),
            *STRICT_C_FLAGS,
            "-O2",
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
            "-DVIX_FFI_BUILD_DLL",
            f"-I{INCLUDE_DIR}",
            str(TEXTLIB_DIR / "textlib.c"),
            "-o",
            str(lib_dir / "libtextlib.so"),
        ]
    )
    return lib_dir


@pytest.fixture(scope="session")
def textlib_python_dir(textlib_root: Path) -> Path:
    """``vix-ffi gen-python`` run on the fixture's manifest; the folder for ``sys.path``."""
    binary = vix_ffi_bin()
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it with `cargo build --release`")
    out = textlib_root / "gen"
    run_checked(
        [str(binary), "gen-python", "--spec", str(TEXTLIB_SPEC), "--out", str(out)]
    )
    return out / "python"


@pytest.fixture(scope="session")
def textlib(textlib_python_dir: Path, textlib_lib_dir: Path) -> ModuleType:
    """The generated ``textlib`` package, imported with ``TEXTLIB_LIB_PATH`` set."""
    os.environ[TEXTLIB_ENV_VAR] = str(textlib_lib_dir)
    if str(textlib_python_dir) not in sys.path:
        sys.path.insert(0, str(textlib_python_dir))
    for name in [m for m in sys.modules if m == "textlib" or m.startswith("textlib.")]:
        del sys.modules[name]
    return importlib.import_module("textlib")
