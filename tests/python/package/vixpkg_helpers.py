"""Helpers of the packaging suite: running commands in a clean environment, building
and reading wheels, fresh virtual environments.

Building goes through the test venv's ``build`` and pinned ``hatchling``
(``--no-isolation``), except in the tests of isolated builds, which fetch hatchling from
the package index as a user's ``pip wheel`` or ``python -m build`` does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from vix_test_env import vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[3]
AUDITWHEEL = Path(sys.executable).parent / "auditwheel"
WORK = Path(
    os.environ.get("VIX_TEST_WORK") or REPO_ROOT / "target" / "pytest-work"
).resolve()
# The cargo target folder the crates built by the suites share (the from_rust suite
# compiles into it too), so that their dependencies are built once.
SHARED_TARGET = WORK / "from_rust" / "cargo-target"
TOOLS_BIN = REPO_ROOT / "target" / "tools" / "bin"
EXAMPLE_SPEC = REPO_ROOT / "examples" / "base64_ffi" / "bindings.json"
PACKAGE = "base64_ffi"
LIBRARY_FILE = "libbase64_ffi.so"

# Variables that could let an import succeed for the wrong reason.
LEAKY_VARS = (
    "VIX_FFI_BACKEND",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIX_LIB_PATH",
    "LD_LIBRARY_PATH",
    "VIRTUAL_ENV",
)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of this process without the variables in ``LEAKY_VARS``, plus
    ``extra``; pip's root-user and version-check notices are silenced."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARS}
    env.update(PIP_ROOT_USER_ACTION="ignore", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.update(extra)
    return env


def run(
    cmd: Sequence[object],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Runs ``cmd``; with ``check``, fails the test with the full output on an error."""
    args = [str(c) for c in cmd]
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited with {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def gen_package(
    *args: object, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Runs ``vix-ffi gen-package`` with ``args``."""
    return run([vix_ffi_bin(), "gen-package", *args], env=env, check=check)


def build_wheel(project: Path, out_dir: Path) -> Path:
    """Builds ``project``'s wheel into ``out_dir`` with the pinned hatchling; returns it."""
    run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            out_dir,
            project,
        ]
    )
    (wheel,) = sorted(out_dir.glob("*.whl"))
    return wheel


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return sorted(zf.namelist())


def wheel_text(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(suffix)]
        return zf.read(name).decode()


class Venv:
    """A fresh virtual environment."""

    def __init__(self, path: Path) -> None:
        self.path = path
        run([sys.executable, "-m", "venv", path])
        self.python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def install(self, wheel: Path) -> None:
        run(
            [
                self.python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--no-deps",
                wheel,
            ]
        )

    def run_code(
        self, code: str, *, cwd: Path, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``code`` with this venv's Python from ``cwd``, in a clean environment."""
        return run(
            [self.python, "-c", code], cwd=cwd, env=clean_env(**env), check=check
        )


def platforms_of(wheel: Path) -> str:
    """The platform tag of ``wheel``'s file name."""
    return wheel.name.removesuffix(".whl").split("-", 4)[4]


def auditwheel_verdict(wheel: Path) -> str:
    """The platform tag ``auditwheel show`` finds ``wheel`` consistent with."""
    proc = run([AUDITWHEEL, "show", wheel])
    verdict = re.search(r'platform tag:\s*"([^"]+)"', proc.stdout)
    assert verdict, proc.stdout
    return verdict[1]


def crate_env(**extra: str) -> dict[str, str]:
    """A clean environment (no venv active, nothing to find the library with), with the
    test venv's Python (hatchling, ziglang) and the tools `cargo xtask test` installs
    first on PATH, and the shared target folder."""
    SHARED_TARGET.mkdir(parents=True, exist_ok=True)
    env = clean_env(CARGO_TARGET_DIR=str(SHARED_TARGET), **extra)
    env["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), str(TOOLS_BIN), env.get("PATH", "")]
    )
    return env


def need_cmake() -> None:
    """Fails the test, saying how to fix it, when cmake is not on PATH (the C++ suite,
    which `cargo xtask test` runs first, installs it with apt-get)."""
    if shutil.which("cmake") is None:
        pytest.fail(
            "cmake is not installed: run `apt-get install cmake` (the C++ suite, "
            "tests/python/cpp, installs it when it runs as root)",
            pytrace=False,
        )
