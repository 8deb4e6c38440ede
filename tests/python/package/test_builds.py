"""The generated project builds with the usual front ends, with no warning; running
gen-package again replaces its own project and says what changed."""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

import pytest

from vixpkg_helpers import LIBRARY_FILE, PACKAGE, gen_package, run, wheel_names


@pytest.fixture(scope="module")
def platform_project(generated_src: Path, package_work: Path, lib_dir: Path) -> Path:
    project = package_work / "platform-project"
    gen_package(
        "--package",
        PACKAGE,
        "--src",
        generated_src,
        "--out",
        project,
        "--copy-lib",
        lib_dir / LIBRARY_FILE,
        "--version",
        "1.2.3",
    )
    return project


def no_warnings(proc_output: str) -> None:
    warnings = [
        line
        for line in proc_output.splitlines()
        if re.search(r"warn", line, re.IGNORECASE)
    ]
    assert not warnings, "\n".join(warnings)


# The compiled backend, built for the Python that gen-package runs (python3, the one
# running the tests here).
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


def test_the_project_layout(platform_project: Path) -> None:
    files = sorted(
        str(p.relative_to(platform_project))
        for p in platform_project.rglob("*")
        if p.is_file()
    )
    assert files == sorted(
        [
            "README.md",
            "hatch_build.py",
            "pyproject.toml",
            f"src/{PACKAGE}/__init__.py",
            f"src/{PACKAGE}/_native.py",
            f"src/{PACKAGE}/_vix_base.py",
            f"src/{PACKAGE}/_vix_ext.c",
            f"src/{PACKAGE}/_vix_ext{EXT_SUFFIX}",
            f"src/{PACKAGE}/_vix_runtime.py",
            f"src/{PACKAGE}/api.py",
            f"src/{PACKAGE}/py.typed",
            f"src/{PACKAGE}/{LIBRARY_FILE}",
        ]
    )
    pyproject = (platform_project / "pyproject.toml").read_text()
    assert 'version = "1.2.3"' in pyproject
    # Every file the pyproject names exists: no LICENSE is referenced.
    assert "license" not in pyproject.lower()


def test_python_m_build_isolated_sdist_and_wheel(
    platform_project: Path, tmp_path: Path
) -> None:
    proc = run([sys.executable, "-m", "build", "--outdir", tmp_path, platform_project])
    no_warnings(proc.stdout + proc.stderr)
    wheels = sorted(p.name for p in tmp_path.glob("*.whl"))
    sdists = sorted(p.name for p in tmp_path.glob("*.tar.gz"))
    assert sdists == ["vix_base64_ffi-1.2.3.tar.gz"]
    assert len(wheels) == 1 and re.match(
        r"vix_base64_ffi-1\.2\.3-py3-none-manylinux_\d+_\d+_", wheels[0]
    ), wheels
    assert f"{PACKAGE}/py.typed" in wheel_names(tmp_path / wheels[0])


def test_pip_wheel(platform_project: Path, tmp_path: Path) -> None:
    proc = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            tmp_path,
            platform_project,
        ]
    )
    no_warnings(proc.stdout + proc.stderr)
    (wheel,) = tmp_path.glob("*.whl")
    assert "-py3-none-manylinux_" in wheel.name
    assert f"{PACKAGE}/{LIBRARY_FILE}" in wheel_names(wheel)


def test_the_project_folder_stays_clean_after_builds(platform_project: Path) -> None:
    entries = sorted(p.name for p in platform_project.iterdir())
    assert entries == ["README.md", "hatch_build.py", "pyproject.toml", "src"]


def test_running_twice_replaces_and_says_what_changed(
    generated_src: Path, tmp_path: Path, lib_dir: Path
) -> None:
    out = tmp_path / "project"
    first = gen_package(
        "--package",
        PACKAGE,
        "--src",
        generated_src,
        "--out",
        out,
        "--copy-lib",
        lib_dir / LIBRARY_FILE,
    )
    assert "replaced" not in first.stdout
    (out / "dist").mkdir()
    (out / "dist" / "mine-0.1.0-py3-none-any.whl").write_bytes(b"a wheel")
    (out / "build").mkdir()
    second = gen_package(
        "--package",
        PACKAGE,
        "--src",
        generated_src,
        "--out",
        out,
        "--version",
        "0.2.0",
        "--no-compile",
    )
    assert "replaced the project generated there before" in second.stdout, second.stdout
    assert "changed: README.md, pyproject.toml" in second.stdout
    assert (
        f"src/{PACKAGE}/{LIBRARY_FILE}" in second.stdout
        and "hatch_build.py" in second.stdout
    )
    assert "build/ (build output)" in second.stdout
    assert "kept as it was: dist/" in second.stdout
    assert not (out / "hatch_build.py").exists() and not (out / "build").exists()
    # Wheels the user built into dist/ are still there.
    assert (out / "dist" / "mine-0.1.0-py3-none-any.whl").read_bytes() == b"a wheel"
    # The command it prints builds this folder, not a project of that name on PyPI.
    assert f"pip wheel {out} --no-deps" in second.stdout
    assert "pip install build" in second.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"], (
        "no temporary folder left"
    )


def test_the_generated_build_hook_is_clean_python(
    platform_project: Path, tmp_path: Path
) -> None:
    """hatch_build.py is Python code we generate: held to the generated package's bar."""
    hook = platform_project / "hatch_build.py"
    bin_dir = Path(sys.executable).parent
    run(
        [bin_dir / "mypy", "--strict", "--cache-dir", tmp_path / "mypy", hook],
        cwd=tmp_path,
    )
    run([bin_dir / "ruff", "check", "--no-cache", hook], cwd=tmp_path)
    run([bin_dir / "ruff", "format", "--check", "--no-cache", hook], cwd=tmp_path)
