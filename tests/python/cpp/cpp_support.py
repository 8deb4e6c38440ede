"""Helpers and constants of the C and C++ suite, shared by its conftest and tests (a
module of its own: several folders have a ``conftest`` module)."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

import pytest

from vix_test_env import backend_for, compile_args, vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[3]
CPP_EXAMPLE = REPO_ROOT / "examples" / "base64_ffi_cpp"
HELPER_HEADER = REPO_ROOT / "include" / "vix" / "ffi" / "vix_ffi.hpp"
CPP_TYPED = REPO_ROOT / "tests" / "fixtures" / "cpp_typed"

# What the quick start copies: the CMake side of the repository and nothing else.
CMAKE_TREE = (
    "CMakeLists.txt",
    "CMakePresets.json",
    "cmake",
    "include",
    "examples/base64_ffi_cpp",
)

API_SYMBOLS = {"base64_ffi_version", "base64_encode", "base64_decode"}
HOOK_SYMBOLS = {"base64_cpp_test_run", "base64_cpp_test_guard"}

MIN_CMAKE = (3, 20)


def run_checked(
    cmd: Sequence[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Runs ``cmd``; fails the test with the command and its whole output otherwise."""
    proc = subprocess.run(
        list(cmd),
        cwd=None if cwd is None else str(cwd),
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd)}` (in {cwd or os.getcwd()}) exited with {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
            pytrace=False,
        )
    return proc


def version_of(tool: str) -> tuple[int, ...] | None:
    path = shutil.which(tool)
    if path is None:
        return None
    out = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(g) for g in match.groups() if g is not None) if match else None


def apt_install(packages: list[str]) -> None:
    """``apt-get update`` then ``apt-get install``; fails the session with the reason."""
    if os.name != "posix" or not shutil.which("apt-get"):
        pytest.fail(
            f"{' and '.join(packages)} missing and this system has no apt-get: install "
            "cmake (3.20 or newer) and ninja yourself",
            pytrace=False,
        )
    if os.geteuid() != 0:
        pytest.fail(
            f"{' and '.join(packages)} missing, and installing them with apt-get needs root: "
            f"run `sudo apt-get update && sudo apt-get install -y {' '.join(packages)}`",
            pytrace=False,
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run_checked(["apt-get", "update"], env=env)
    run_checked(
        ["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env
    )


def copy_cmake_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns("build-*", "__pycache__")
    for rel in CMAKE_TREE:
        src = REPO_ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=ignore)
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


class QuickStart:
    """The result of the CMake quick start run on a fresh copy of the sources."""

    def __init__(self, root: Path, logs: dict[str, str]) -> None:
        self.root = root
        self.logs = logs
        self.preset_dir = root / "build-ninja"
        self.example_dir = root / "build-base64-ffi-cpp"
        self.library = self.example_dir / "libbase64_ffi_cpp.so"
        self.hooks_library = self.example_dir / "libbase64_ffi_cpp_test_hooks.so"


def exported_symbols(library: Path, nm: str = "nm") -> set[str]:
    """The names ``nm -D --defined-only`` lists for ``library``."""
    out = run_checked([nm, "-D", "--defined-only", str(library)]).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def gen_python(spec: Path, out: Path) -> Path:
    """``vix-ffi gen-python --spec spec --out out``; returns the folder for ``sys.path``."""
    binary = vix_ffi_bin()
    if not binary.is_file():
        pytest.fail(
            f"{binary} does not exist: run `cargo build --release -p vix-ffi-cli`",
            pytrace=False,
        )
    shutil.rmtree(out, ignore_errors=True)
    run_checked(
        [str(binary), "gen-python", "--spec", str(spec), "--out", str(out)]
        + compile_args()
    )
    return out / "python"


def import_with_lib_path(
    python_dir: Path, package: str, lib_dir: Path, env_var: str = "VIX_LIB_PATH"
) -> ModuleType:
    """Imports a generated package with ``env_var`` (the manifest's ``library.env_var``)
    naming ``lib_dir`` during the import (the library is loaded then), and restores the
    variable afterwards."""
    if str(python_dir) not in sys.path:
        sys.path.insert(0, str(python_dir))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    saved = os.environ.get(env_var)
    os.environ[env_var] = str(lib_dir)
    try:
        with backend_for(python_dir / package):
            module = importlib.import_module(package)
        # The ctypes loader too, which the compiled backend does not import itself.
        importlib.import_module(package + "._native")
        return module
    finally:
        if saved is None:
            del os.environ[env_var]
        else:
            os.environ[env_var] = saved
