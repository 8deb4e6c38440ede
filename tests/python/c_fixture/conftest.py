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

from vix_test_env import backend_for, c_compiler, compile_args, fresh_dir, vix_ffi_bin

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


def build_library(source: Path, lib_dir: Path, name: str) -> None:
    """``lib<name>.so`` from one C file, built as the fixtures' READMEs say."""
    lib_dir.mkdir(parents=True, exist_ok=True)
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
            str(source),
            "-o",
            str(lib_dir / f"lib{name}.so"),
        ]
    )


def generate_package(spec: Path, out: Path) -> Path:
    """``vix-ffi gen-python`` run on ``spec``; the folder for ``sys.path``."""
    binary = vix_ffi_bin()
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it with `cargo build --release`")
    run_checked(
        [str(binary), "gen-python", "--spec", str(spec), "--out", str(out)]
        + compile_args()
    )
    return out / "python"


def import_fresh(
    package: str, python_dir: Path, env_var: str, lib_dir: Path
) -> ModuleType:
    """``package`` imported anew from ``python_dir``, with ``env_var`` naming ``lib_dir``."""
    os.environ[env_var] = str(lib_dir)
    if str(python_dir) not in sys.path:
        sys.path.insert(0, str(python_dir))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    with backend_for(python_dir / package):
        return importlib.import_module(package)


@pytest.fixture(scope="session")
def textlib_root(work_dir: Path) -> Path:
    return fresh_dir(work_dir / "c_textlib")


@pytest.fixture(scope="session")
def textlib_lib_dir(textlib_root: Path) -> Path:
    """A folder holding ``libtextlib.so``, built as the fixture's README says."""
    lib_dir = textlib_root / "lib"
    build_library(TEXTLIB_DIR / "textlib.c", lib_dir, "textlib")
    return lib_dir


@pytest.fixture(scope="session")
def textlib_python_dir(textlib_root: Path) -> Path:
    """``vix-ffi gen-python`` run on the fixture's manifest; the folder for ``sys.path``."""
    return generate_package(TEXTLIB_SPEC, textlib_root / "gen")


@pytest.fixture(scope="session")
def textlib(textlib_python_dir: Path, textlib_lib_dir: Path) -> ModuleType:
    """The generated ``textlib`` package, imported with ``TEXTLIB_LIB_PATH`` set."""
    return import_fresh("textlib", textlib_python_dir, TEXTLIB_ENV_VAR, textlib_lib_dir)


TYPEDLIB_DIR = REPO_ROOT / "tests" / "fixtures" / "c_typed"
TYPEDLIB_SPEC = TYPEDLIB_DIR / "bindings.json"
TYPEDLIB_ENV_VAR = "TYPEDLIB_LIB_PATH"


@pytest.fixture(scope="session")
def typedlib_lib_dir(work_dir: Path) -> Path:
    """A folder holding ``libtypedlib.so``, the typed-signature fixture library."""
    lib_dir = work_dir / "c_typed" / "lib"
    shutil.rmtree(lib_dir, ignore_errors=True)
    build_library(TYPEDLIB_DIR / "typedlib.c", lib_dir, "typedlib")
    return lib_dir


@pytest.fixture(scope="session")
def typedlib(work_dir: Path, typedlib_lib_dir: Path) -> ModuleType:
    """The generated ``typedlib`` package, imported with ``TYPEDLIB_LIB_PATH`` set."""
    out = work_dir / "c_typed" / "gen"
    shutil.rmtree(out, ignore_errors=True)
    python_dir = generate_package(TYPEDLIB_SPEC, out)
    return import_fresh("typedlib", python_dir, TYPEDLIB_ENV_VAR, typedlib_lib_dir)


OBJLIB_DIR = REPO_ROOT / "tests" / "fixtures" / "c_objects"


@pytest.fixture(scope="session")
def objlib(work_dir: Path) -> ModuleType:
    """The generated ``objlib`` package (objects), imported with ``OBJLIB_LIB_PATH``."""
    root = work_dir / "c_objects"
    shutil.rmtree(root, ignore_errors=True)
    build_library(OBJLIB_DIR / "objlib.c", root / "lib", "objlib")
    python_dir = generate_package(OBJLIB_DIR / "bindings.json", root / "gen")
    return import_fresh("objlib", python_dir, "OBJLIB_LIB_PATH", root / "lib")
