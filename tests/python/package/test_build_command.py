"""`vix-ffi build` and `vix-ffi develop` on a small crate made here, as a library author
would use them: the wheel's name and tag (which `auditwheel show` must confirm), a fresh
venv that installs it without network and calls it from `/` with nothing set, the
glibc 2.17 wheel of `--manylinux 2014`, and the edit-develop-try loop.

The crate depends on this repository's `crates/vix-ffi` by path and starts from the
workspace's `Cargo.lock`; its target folder (given through `CARGO_TARGET_DIR`, which
`build` must honour) is the one the `from_rust` suite compiles into, so that dependencies
built there are not built again. Each crate is named vixdemo, and only one of them is
built with each profile and target that succeeds, so none overwrites another's library.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from vix_test_env import vix_ffi_bin
from vixpkg_helpers import (
    REPO_ROOT,
    SHARED_TARGET,
    Venv,
    auditwheel_verdict,
    crate_env,
    platforms_of,
    run,
    wheel_names,
    wheel_text,
)

ARCH = platform.machine()

LIB_RS = """\
//! A small library for the tests of `vix-ffi build`.
#![forbid(unsafe_code)]

use vix_ffi::{Error, Result};

/// The library's version string.
#[vix_ffi::export(prefix = "vixdemo_")]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Shout the text.
#[vix_ffi::export(prefix = "vixdemo_")]
pub fn shout(text: &str) -> Result<String> {
    if text.is_empty() {
        return Err(Error::invalid_arg("nothing to shout"));
    }
    Ok(format!("{}{MARK}", text.to_uppercase()))
}

const MARK: &str = "!";
"""

CALL = (
    "import vixdemo._native as n\n"
    "from vixdemo import api\n"
    "print(api.shout('hi'))\n"
    "print(api.version())\n"
    "print(n.LOADED_FROM)\n"
    "import vixdemo\n"
    "print(vixdemo.BACKEND)\n"
)

pytestmark = pytest.mark.skipif(
    sys.platform != "linux",
    reason="the wheels tested here are Linux (manylinux) wheels",
)


def make_crate(root: Path, *, cdylib: bool = True) -> Path:
    """A crate named vixdemo in ``root``, version 0.3.0."""
    crate = root / "vixdemo"
    (crate / "src").mkdir(parents=True)
    crate_type = '["cdylib", "rlib"]' if cdylib else '["rlib"]'
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "vixdemo"\nversion = "0.3.0"\nedition = "2021"\n'
        'description = "A demo of vix-ffi build"\n\n'
        f'[dependencies]\nvix-ffi = {{ path = "{REPO_ROOT / "crates" / "vix-ffi"}" }}\n\n'
        f"[lib]\ncrate-type = {crate_type}\n"
    )
    (crate / "src" / "lib.rs").write_text(LIB_RS)
    shutil.copyfile(REPO_ROOT / "Cargo.lock", crate / "Cargo.lock")
    return crate


def vix(
    *args: object, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    return run([vix_ffi_bin(), *args], env=crate_env(**env), check=check)


def install_and_call(wheel: Path, venv_dir: Path) -> list[str]:
    """Installs ``wheel`` into a fresh venv without network and calls it from ``/``."""
    venv = Venv(venv_dir)
    venv.install(wheel)
    out = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert Path(out[2]).parent.name == "vixdemo"
    assert venv.path in Path(out[2]).parents, "the bundled copy is the one loaded"
    # The wheel's compiled backend was built for the Python the venv runs.
    assert out[3] == "compiled", "the installed wheel runs on ctypes"
    return out[:2]


@pytest.fixture(scope="module")
def crate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_crate(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def host_build(
    crate: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """``vix-ffi build --check`` run in the crate's folder, with the default output."""
    proc = run([vix_ffi_bin(), "build", "--check"], cwd=crate, env=crate_env())
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("built ")]
    return Path(line.removeprefix("built ")), proc.stdout + proc.stderr


def test_build_reports_each_step_and_the_wheel(host_build: tuple[Path, str]) -> None:
    wheel, output = host_build
    steps = re.findall(r"^\[(\d)/6\] ([\w-]+( \w+)?):", output, re.MULTILINE)
    assert [name for _, name, _ in steps] == [
        "cargo build",
        "from-rust",
        "check",
        "gen-python",
        "gen-package",
        "wheel",
    ], output
    # The check ran; its only failure is shout's abort when an allocation fails (it
    # returns a String, which Rust's standard library builds infallibly): a warning,
    # not a reason to withhold the wheel.
    assert re.search(r"\d+ passed, 1 failed", output), output
    failed = [line for line in output.splitlines() if "warning: FAIL" in line]
    assert len(failed) == 1 and "allocation-failure" in failed[0], output
    assert "the wheel is written all the same" in output
    # The default output folder is cargo's target folder, wherever cargo metadata says.
    assert wheel.parent == SHARED_TARGET / "wheels"
    assert f"\ntag py3-none-{platforms_of(wheel)}: " in output


def test_the_host_wheel_is_tagged_as_auditwheel_sees_it(
    host_build: tuple[Path, str],
) -> None:
    wheel, _ = host_build
    # The version is the crate's; the name is gen-package's default.
    match = re.fullmatch(
        rf"vix_vixdemo-0\.3\.0-py3-none-(manylinux_2_(\d+)_{ARCH})(\..+)?\.whl",
        wheel.name,
    )
    assert match, wheel.name
    assert auditwheel_verdict(wheel) == match[1]
    names = wheel_names(wheel)
    assert "vixdemo/libvixdemo.so" in names
    assert "vixdemo/api.py" in names
    assert "A demo of vix-ffi build" in wheel_text(wheel, ".dist-info/METADATA")


def test_the_wheel_is_the_one_pip_wheel_makes_of_the_project(
    host_build: tuple[Path, str], tmp_path: Path
) -> None:
    """build calls the project's backend itself: pip on the project it generated gives
    the same files."""
    wheel, _ = host_build
    project = SHARED_TARGET / "vix-ffi" / "vixdemo" / "project"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    run([*pip, "--no-index", "-w", tmp_path, project])
    (other,) = tmp_path.glob("*.whl")
    assert other.name == wheel.name
    with zipfile.ZipFile(wheel) as ours, zipfile.ZipFile(other) as pips:
        assert [(i.filename, i.CRC) for i in ours.infolist()] == [
            (i.filename, i.CRC) for i in pips.infolist()
        ]


def test_the_host_wheel_installs_and_works_from_anywhere(
    host_build: tuple[Path, str], tmp_path: Path
) -> None:
    wheel, _ = host_build
    assert install_and_call(wheel, tmp_path / "venv") == ["HI!", "0.3.0"]


def test_manylinux_2014_builds_for_glibc_2_17(crate: Path, tmp_path: Path) -> None:
    if shutil.which("cargo-zigbuild", path=crate_env()["PATH"]) is None:
        pytest.fail(
            "cargo-zigbuild is not installed: `cargo xtask test` installs it into "
            "target/tools (or run `cargo install cargo-zigbuild --locked`)"
        )
    out = tmp_path / "wheels"
    proc = vix("build", "--crate", crate, "--manylinux", "2014", "--out", out)
    assert "--target " + f"{ARCH}-unknown-linux-gnu.2.17" in proc.stderr, proc.stderr
    (wheel,) = out.glob("*.whl")
    assert proc.stdout.startswith(f"built {wheel}\n"), proc.stdout
    assert wheel.name == (
        f"vix_vixdemo-0.3.0-py3-none-manylinux_2_17_{ARCH}.manylinux2014_{ARCH}.whl"
    )
    tags = sorted(
        line.removeprefix("Tag: ")
        for line in wheel_text(wheel, ".dist-info/WHEEL").splitlines()
        if line.startswith("Tag: ")
    )
    assert tags == [
        f"py3-none-manylinux2014_{ARCH}",
        f"py3-none-manylinux_2_17_{ARCH}",
    ]
    # auditwheel reads the library's symbol versions: nothing newer than glibc 2.17.
    assert auditwheel_verdict(wheel) == f"manylinux_2_17_{ARCH}"
    assert "note: this wheel needs glibc" not in proc.stderr
    assert install_and_call(wheel, tmp_path / "venv") == ["HI!", "0.3.0"]


def test_a_crate_without_cdylib_is_refused_before_building(tmp_path: Path) -> None:
    crate = make_crate(tmp_path, cdylib=False)
    out = tmp_path / "wheels"
    proc = vix("build", "--crate", crate, "--out", out, check=False)
    assert proc.returncode == 1
    assert 'add `crate-type = ["cdylib", "rlib"]` under [lib]' in proc.stderr
    assert "[1/" not in proc.stderr, "nothing was built"
    assert not out.exists()


def test_a_python_without_hatchling_is_refused_before_building(
    crate: Path, tmp_path: Path
) -> None:
    bare = Venv(tmp_path / "bare")
    out = tmp_path / "wheels"
    proc = vix(
        "build", "--crate", crate, "--out", out, "--python", bare.python, check=False
    )
    assert proc.returncode == 1
    assert f"{bare.python} -m pip install hatchling" in proc.stderr, proc.stderr
    assert "[1/" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2010", "glibc 2.12, older than Rust's standard library supports"),
        ("newest", "is not a manylinux level"),
    ],
)
def test_bad_manylinux_levels(crate: Path, value: str, message: str) -> None:
    proc = vix("build", "--crate", crate, "--manylinux", value, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_a_failed_compilation_names_the_step_and_writes_no_wheel(
    tmp_path: Path,
) -> None:
    crate = make_crate(tmp_path)
    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("to_uppercase()", "to_upper_case()"))
    out = tmp_path / "wheels"
    proc = vix("build", "--crate", crate, "--out", out, check=False)
    assert proc.returncode == 1
    assert "error: cargo build failed: the build of vixdemo failed" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


BROKEN_SIZE = """\
//! A library whose size function promises one byte more than it writes.
use vix_ffi::{Output, Result};

/// The version.
#[vix_ffi::export(prefix = "vixbroken_")]
pub const VERSION: &str = "1.0.0";

/// Upper-case ASCII letters.
#[vix_ffi::export(prefix = "vixbroken_", size = |t| Ok(t.len() + 1), kind = "str_to_str")]
pub fn upper(text: &str, out: &mut Output<'_>) -> Result<()> {
    for b in text.bytes() {
        out.push(b.to_ascii_uppercase())?;
    }
    Ok(())
}
"""


def test_check_refuses_a_library_that_breaks_the_contract(tmp_path: Path) -> None:
    crate = make_crate(tmp_path)
    toml = crate / "Cargo.toml"
    toml.write_text(toml.read_text().replace('name = "vixdemo"', 'name = "vixbroken"'))
    (crate / "src" / "lib.rs").write_text(BROKEN_SIZE)
    out = tmp_path / "wheels"
    proc = vix("build", "--crate", crate, "--out", out, "--check", check=False)
    assert proc.returncode == 1, proc.stderr
    assert re.search(r"^FAIL  upper +size-query ", proc.stderr, re.MULTILINE)
    assert proc.stderr.rstrip().endswith(
        "error: check failed: the library breaks the Vix FFI contract (the report is "
        "above), so no wheel was written: fix the functions marked FAIL, or build "
        "without --check"
    ), proc.stderr
    assert "[4/6]" not in proc.stderr
    assert not out.exists()
    # Without --check, the same crate makes a wheel: the refusal was the checker's.
    vix("build", "--crate", crate, "--out", out)
    assert len(list(out.glob("vix_vixbroken-*.whl"))) == 1


@pytest.fixture
def dev_venv(tmp_path: Path) -> Iterator[Venv]:
    yield Venv(tmp_path / "dev-venv")


def test_develop_needs_an_active_venv(crate: Path) -> None:
    proc = vix("develop", "--crate", crate, check=False)
    assert proc.returncode == 1
    assert "no virtual environment is active" in proc.stderr


def test_develop_then_a_change_then_develop_again(
    tmp_path: Path, dev_venv: Venv
) -> None:
    crate = make_crate(tmp_path)
    active = {"VIRTUAL_ENV": str(dev_venv.path)}
    active_env = crate_env(**active)
    proc = vix("develop", "--crate", crate, **active)
    assert "editable" in proc.stdout, proc.stdout
    first = dev_venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert first[:2] == ["HI!", "0.3.0"]
    # The package is not copied into the venv: it is loaded from the crate's target.
    assert SHARED_TARGET in Path(first[2]).parents, first
    listed = dev_venv.run_code(
        "import importlib.metadata as m; d = m.distribution('vix-vixdemo');"
        "print(d.version, d.read_text('direct_url.json'))",
        cwd=Path("/"),
    ).stdout
    assert listed.startswith("0.3.0 ") and '"editable": true' in listed, listed

    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace('MARK: &str = "!"', 'MARK: &str = "?!"'))
    vix("develop", "--crate", crate, **active)
    again = dev_venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert again[:2] == ["HI?!", "0.3.0"]

    # The library is a link to cargo's file: a change of a function's body needs only
    # `cargo build`, with develop's profile (debug).
    lib.write_text(lib.read_text().replace('MARK: &str = "?!"', 'MARK: &str = "!!"'))
    cargo = os.environ.get("CARGO", "cargo")
    run(
        [cargo, "build", "--lib", "--manifest-path", crate / "Cargo.toml"],
        env=active_env,
    )
    third = dev_venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert third[:2] == ["HI!!", "0.3.0"]

    # pip sees an ordinary distribution: uninstalling removes the package from the venv.
    run([dev_venv.python, "-m", "pip", "uninstall", "-y", "vix-vixdemo"])
    gone = dev_venv.run_code("import vixdemo", cwd=Path("/"), check=False)
    assert "ModuleNotFoundError" in gone.stderr
