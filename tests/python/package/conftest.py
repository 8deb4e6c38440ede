"""Fixtures for the packaging suite: `vix-ffi gen-package`, `cargo xtask wheel`, and
installing the wheels they build into fresh virtual environments.

The parent ``tests/python/conftest.py`` provides ``work_dir`` and ``lib_dir``; helpers
live in ``vixpkg_helpers.py`` (a unique name: every suite has a ``conftest``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vixpkg_helpers import (
    EXAMPLE_SPEC,
    PACKAGE,
    REPO_ROOT,
    Venv,
    build_wheel,
    gen_package,
    run,
    vix_ffi_bin,
)


@pytest.fixture(scope="session")
def package_work(work_dir: Path) -> Iterator[Path]:
    path = work_dir / "package"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    yield path


@pytest.fixture(scope="session")
def generated_src(package_work: Path) -> Path:
    """``vix-ffi gen-python``'s output for the example (the folder to pass to --src)."""
    out = package_work / "gen"
    run([vix_ffi_bin(), "gen-python", "--spec", EXAMPLE_SPEC, "--out", out])
    return out


@pytest.fixture(scope="session")
def example_wheel(package_work: Path) -> Path:
    """The example's wheel, built by ``cargo xtask wheel`` as a user would."""
    out_dir = package_work / "wheelhouse"
    cargo = os.environ.get("CARGO", "cargo")
    proc = run([cargo, "xtask", "wheel", "--out-dir", out_dir], cwd=REPO_ROOT)
    (wheel,) = sorted(out_dir.glob("*.whl"))
    # The auditwheel check of `cargo xtask wheel` is part of what it prints.
    assert "consistent" in proc.stderr, proc.stderr
    return wheel


@pytest.fixture(scope="session")
def installed(example_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with the example's wheel installed."""
    venv = Venv(tmp_path_factory.mktemp("venv-platform") / "venv")
    venv.install(example_wheel)
    return venv


@pytest.fixture(scope="session")
def pure_wheel(generated_src: Path, package_work: Path) -> Path:
    """The example's pure wheel: gen-package without --copy-lib."""
    project = package_work / "pure-project"
    gen_package(
        "--package", PACKAGE, "--src", generated_src, "--out", project, "--no-compile"
    )
    return build_wheel(project, package_work / "pure-wheelhouse")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory outside the repository."""
    path = tmp_path / "elsewhere"
    path.mkdir()
    assert REPO_ROOT not in path.resolve().parents
    return path
