"""`vix-ffi new` as a library author starts with it: a project named demo, Rust or C++,
goes to a glibc 2.17 wheel with one `vix-ffi build --manylinux 2014` (tag and `auditwheel
show` agree), which installs into a fresh venv and works from `/` with nothing set; the
project's own tests pass (its Rust unit tests, its pytest file through the installed
package, `vix-ffi check` through `--check`); `vix-ffi develop` in the new crate makes
`import demo` work and shows a change to the Rust code after the next `develop`; and
what `new` refuses.

The crates depend on this checkout's `crates/vix-ffi` by path (what `new` writes when run
from a checkout) and start from the workspace's `Cargo.lock`, so that nothing is fetched;
they build into the target folder the other crate suites share. The release build of
demo is for the zig target only and the develop build is debug, so neither overwrites
the other's library. The C++ `--manylinux` build compiles zig's C++ runtime the first
time zig's cache lacks it (a few minutes, once per machine).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vix_test_env import vix_ffi_bin
from vixpkg_helpers import (
    REPO_ROOT,
    SHARED_TARGET,
    Venv,
    auditwheel_verdict,
    crate_env,
    need_cmake,
    run,
    wheel_names,
)

ARCH = platform.machine()
TAG = f"manylinux_2_17_{ARCH}.manylinux2014_{ARCH}"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the wheels tested here are manylinux wheels"
)

CALL = (
    "import demo\n"
    "from demo import api\n"
    "print(api.add(2, 3), api.count_vowels('yes, hello'), api.version(), demo.BACKEND)\n"
    "import demo._native as n\n"
    "print(n.LOADED_FROM)\n"
)


def vix(
    *args: object, cwd: Path | None = None, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    return run([vix_ffi_bin(), *args], cwd=cwd, env=crate_env(**env), check=check)


def new_project(root: Path, *args: str) -> Path:
    """``vix-ffi new demo ARGS`` run in ``root``."""
    proc = vix("new", "demo", *args, cwd=root)
    project = root / "demo"
    assert proc.stdout.startswith("created demo ("), proc.stdout
    assert f"it uses Vix FFI from {REPO_ROOT}" in proc.stdout, proc.stdout
    if (project / "Cargo.toml").exists():
        shutil.copyfile(REPO_ROOT / "Cargo.lock", project / "Cargo.lock")
    return project


def pytest_env() -> dict[str, str]:
    """Where a venv's Python finds pytest: the test venv's site-packages, on
    PYTHONPATH (a fresh venv has no pytest, and installing it needs the network)."""
    return {"PYTHONPATH": str(Path(pytest.__file__).resolve().parents[1])}


def run_project_tests(venv: Venv, project: Path) -> str:
    """The project's own pytest file, run by ``venv``'s Python from the project."""
    proc = venv.run_code(
        "import sys, pytest; sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', "
        "'tests']))",
        cwd=project,
        **pytest_env(),
    )
    return proc.stdout


def installed_call(wheel: Path, venv_dir: Path) -> list[str]:
    """Installs ``wheel`` into a fresh venv without network, calls it from ``/`` with no
    variable set; returns what it printed."""
    venv = Venv(venv_dir)
    venv.install(wheel)
    out = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert venv.path in Path(out[1]).parents, "the bundled copy is the one loaded"
    return out[0].split()


def built_wheel(proc: subprocess.CompletedProcess[str]) -> Path:
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("built ")]
    return Path(line.removeprefix("built "))


def test_a_new_crate_goes_to_a_manylinux_2014_wheel(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert {p.name for p in project.iterdir()} >= {
        "Cargo.toml",
        "README.md",
        "bindings.json",
        "include",
        "src",
        "tests",
        ".gitignore",
    }
    readme = (project / "README.md").read_text()
    for section in ("## Build", "## Test", "## Develop", "## Publish"):
        assert section in readme
    # Its Rust unit tests.
    cargo = os.environ.get("CARGO", "cargo")
    proc = run([cargo, "test", "--offline"], cwd=project, env=crate_env())
    assert "test result: ok. 2 passed" in proc.stdout, proc.stdout

    # One command, in the crate's folder.
    proc = vix("build", "--manylinux", "2014", "--check", cwd=project)
    wheel = built_wheel(proc)
    assert wheel == SHARED_TARGET / "wheels" / f"vix_demo-0.1.0-py3-none-{TAG}.whl"
    assert auditwheel_verdict(wheel) == f"manylinux_2_17_{ARCH}"
    assert "demo/libdemo.so" in wheel_names(wheel)
    # vix-ffi check ran, and every function passes every rule (allocation-failure
    # included: the vix-ffi crate's run-time allocates nothing infallibly for a text
    # input, and the template returns no String).
    assert "warning: FAIL" not in proc.stderr, proc.stderr
    assert re.search(r"\d+ passed, 0 failed", proc.stderr), proc.stderr

    venv_dir = tmp_path / "venv"
    assert installed_call(wheel, venv_dir) == ["5", "3", "0.1.0", "compiled"]
    # Its pytest file, through the installed package.
    assert "4 passed" in run_project_tests(Venv(venv_dir), project)


def test_a_new_cpp_library_goes_to_a_manylinux_2014_wheel(tmp_path: Path) -> None:
    need_cmake()
    project = new_project(tmp_path, "--lang", "cpp")
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == [
        ".gitignore",
        "CMakeLists.txt",
        "README.md",
        "bindings.json",
        "src",
        "src/demo.cpp",
        "tests",
        "tests/test_demo.py",
    ]
    proc = vix("build", "--cmake", ".", "--manylinux", "2014", "--check", cwd=project)
    wheel = built_wheel(proc)
    assert wheel == project / "target" / "wheels" / f"vix_demo-0.1.0-py3-none-{TAG}.whl"
    assert "The CXX compiler identification is Clang" in proc.stderr, proc.stderr
    assert auditwheel_verdict(wheel) == f"manylinux_2_17_{ARCH}"
    # The C++ helpers catch every exception: vix-ffi check passes everything.
    assert re.search(r"\d+ passed, 0 failed", proc.stderr), proc.stderr

    venv_dir = tmp_path / "venv"
    assert installed_call(wheel, venv_dir) == ["5", "3", "0.1.0", "compiled"]
    assert "4 passed" in run_project_tests(Venv(venv_dir), project)


def test_develop_in_a_new_crate_then_a_change_then_develop_again(
    tmp_path: Path,
) -> None:
    project = new_project(tmp_path)
    venv = Venv(tmp_path / "dev-venv")
    active = {"VIRTUAL_ENV": str(venv.path)}
    vix("develop", cwd=project, **active)
    first = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    # develop builds no compiled backend: the package runs on ctypes.
    assert first[0].split() == ["5", "3", "0.1.0", "ctypes"]
    assert "4 passed" in run_project_tests(venv, project)

    # A change to a function's body, and a new function.
    lib = project / "src" / "lib.rs"
    text = lib.read_text()
    assert "b'a' | b'e' | b'i' | b'o' | b'u'" in text
    text = text.replace(
        "b'a' | b'e' | b'i' | b'o' | b'u'", "b'a' | b'e' | b'i' | b'o' | b'u' | b'y'"
    )
    text += (
        '\n/// Twice n.\n#[vix_ffi::export(prefix = "demo_")]\n'
        "pub fn twice(n: i64) -> Result<i64> {\n"
        '    n.checked_mul(2).ok_or_else(|| Error::invalid_arg("too large"))\n}\n'
    )
    lib.write_text(text)
    vix("develop", cwd=project, **active)
    again = venv.run_code(
        CALL + "print(api.twice(21))\n", cwd=Path("/")
    ).stdout.splitlines()
    assert again[0].split() == ["5", "4", "0.1.0", "ctypes"]
    assert again[2] == "42"


def test_develop_in_a_new_cpp_library_then_a_change_then_develop_again(
    tmp_path: Path,
) -> None:
    need_cmake()
    project = new_project(tmp_path, "--lang", "cpp")
    venv = Venv(tmp_path / "dev-venv")
    active = {"VIRTUAL_ENV": str(venv.path)}
    proc = vix("develop", "--cmake", ".", cwd=project, **active)
    assert "-DCMAKE_BUILD_TYPE=Debug" in proc.stderr, proc.stderr
    first = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert first[0].split() == ["5", "3", "0.1.0", "ctypes"]
    assert project / "target" / "cmake-debug" in Path(first[1]).resolve().parents
    assert "4 passed" in run_project_tests(venv, project)

    source = project / "src" / "demo.cpp"
    text = source.read_text()
    assert "case 'u':" in text
    source.write_text(text.replace("case 'u':", "case 'u': case 'y':"))
    vix("develop", "--cmake", ".", cwd=project, **active)
    again = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert again[0].split() == ["5", "4", "0.1.0", "ctypes"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "My-Lib",
            (
                'use lowercase ASCII letters, digits and "_", starting with a '
                'letter such as "my_lib"'
            ),
        ),
        ("json", "standard-library module"),
        ("type", "a Rust keyword"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_written(
    name: str, message: str, tmp_path: Path
) -> None:
    proc = vix("new", name, cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        f'error: "{name}" cannot name the project (it is also its crate, Python package '
        "and library): "
    ), proc.stderr
    assert message in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(tmp_path: Path) -> None:
    existing = tmp_path / "demo"
    existing.mkdir()
    (existing / "mine.txt").write_text("mine")
    for lang in ("rust", "cpp"):
        proc = vix("new", "demo", "--lang", lang, cwd=tmp_path, check=False)
        assert proc.returncode == 1
        assert f"{existing} already exists" in proc.stderr, proc.stderr
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]
    # --path picks another folder.
    vix("new", "demo", "--lang", "cpp", "--path", tmp_path / "other", cwd=tmp_path)
    assert (tmp_path / "other" / "src" / "demo.cpp").is_file()
