"""Helpers of the ``from_rust`` suite: Rust crates built in temporary folders.

(A module of its own rather than a ``conftest.py``: the suites share no package, and the
root ``conftest`` module is not importable by name from here.)

Every crate built here shares one cargo target folder under the pytest work folder
(``target`` in the crate is a symlink to it) and starts from the workspace's
``Cargo.lock``, so dependencies are compiled once and resolved to the versions the
workspace already uses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from vix_test_env import vix_ffi_bin

REPO_ROOT = Path(__file__).resolve().parents[3]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return (Path(value) if value else default).resolve()


# As in tests/python/conftest.py.
VIX_FFI_BIN = vix_ffi_bin()
WORK_DIR = _env_path("VIX_TEST_WORK", REPO_ROOT / "target" / "pytest-work")

CHAPTER = REPO_ROOT / "docs" / "guide" / "src" / "rust-authors.md"
SECTION = "## Walk-through: a crate called from Python"
SHARED_TARGET = WORK_DIR / "from_rust" / "cargo-target"


@dataclass(frozen=True)
class Block:
    """A fenced code block of the guide, as a reader copies it: for Rust, without the
    lines the book hides (those starting with ``# ``, which the doc tests of
    ``docs/guide/doctest`` run)."""

    lang: str
    text: str


def _shown(lang: str, code: str) -> str:
    if lang != "rust":
        return code
    return "".join(
        line
        for line in code.splitlines(keepends=True)
        if not (line.strip() == "#" or line.lstrip().startswith("# "))
    )


def guide_blocks() -> tuple[list[Block], list[Block]]:
    """The code blocks of the guide's Rust chapter: the walk-through's steps (its
    section) and the reference examples (every section after it)."""
    text = CHAPTER.read_text(encoding="utf-8")
    start = text.index(SECTION + "\n") + len(SECTION)
    end = text.find("\n## ", start)
    steps = text[start:end]
    reference = text[end:]

    def blocks(part: str) -> list[Block]:
        return [
            Block(m.group(1), _shown(m.group(1), m.group(2)))
            for m in re.finditer(
                r"^```(\w*)\n(.*?)^```$", part, re.MULTILINE | re.DOTALL
            )
        ]

    return blocks(steps), blocks(reference)


def crate_env() -> dict[str, str]:
    """The environment of commands run in a temporary crate: ``vix-ffi`` and this
    Python first on ``PATH``, no target folder or library path inherited."""
    env = dict(os.environ)
    for name in (
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "VIX_LIB_PATH",
        "PYTHONPATH",
        # As a user runs them: the package picks its backend (the compiled one where
        # the commands built it, as the suites' own generation does, else ctypes).
        "VIX_FFI_BACKEND",
    ):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join(
        [str(VIX_FFI_BIN.parent), str(Path(sys.executable).parent), env.get("PATH", "")]
    )
    env["VIX_FFI"] = str(REPO_ROOT)
    return env


def prepare_crate(crate: Path) -> None:
    """Points ``crate/target`` at the shared target folder and seeds its lock file."""
    SHARED_TARGET.mkdir(parents=True, exist_ok=True)
    if not (crate / "target").exists():
        (crate / "target").symlink_to(SHARED_TARGET, target_is_directory=True)
    shutil.copyfile(REPO_ROOT / "Cargo.lock", crate / "Cargo.lock")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs a command in a crate, failing the test with its output if it fails."""
    proc = subprocess.run(
        args, cwd=cwd, env=crate_env(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        command = " ".join(args)
        raise AssertionError(
            f"{command} failed with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc
