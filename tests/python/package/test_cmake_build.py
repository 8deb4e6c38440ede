"""`vix-ffi build --cmake DIR` on a small C library made here with a CMakeLists.txt that
uses ``vix_ffi_add_library()`` (through ``add_subdirectory()`` of this repository) and a
manifest beside it: the steps, the wheel's name, version, description and tag (which
`auditwheel show` must confirm), a fresh venv that installs it and calls it from `/`, the
glibc 2.17 wheel of `--manylinux 2014` (zig as the compiler), and the messages for what
cannot be built.

The library is C, so that zig compiles it without building a C++ runtime first; the C++
path is the one `vix-ffi new --lang cpp` makes (test_new_command.py).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vix_test_env import vix_ffi_bin
from vixpkg_helpers import (
    REPO_ROOT,
    Venv,
    auditwheel_verdict,
    clean_env,
    need_cmake,
    platforms_of,
    run,
    wheel_names,
    wheel_text,
)

ARCH = platform.machine()

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the wheels tested here are manylinux wheels"
)


@pytest.fixture(scope="module", autouse=True)
def _cmake() -> None:
    need_cmake()


CMAKELISTS = f"""\
cmake_minimum_required(VERSION 3.20)
project(cdemo VERSION 0.4.0 DESCRIPTION "A C demo of vix-ffi build --cmake" LANGUAGES C)
add_subdirectory("{REPO_ROOT}" "${{CMAKE_CURRENT_BINARY_DIR}}/vix_ffi" EXCLUDE_FROM_ALL)
vix_ffi_add_library(cdemo SOURCES cdemo.c SYMBOL_PREFIX cdemo_)
# Another shared library, which build must leave alone.
add_library(helper SHARED helper.c)
"""

CDEMO_C = """\
#include <vix/ffi/vix_ffi.h>

#include <stdint.h>
#include <string.h>

#define CDEMO_API VIX_FFI_EXTERN_C VIX_FFI_API

static int set(vix_status *out_status, int32_t code, const char *text)
{
    if (out_status != NULL) {
        out_status->code = code;
        out_status->message.ptr = text;
        out_status->message.len = strlen(text);
    }
    return code == VIX_STATUS_OK ? 0 : 1;
}

CDEMO_API vix_str VIX_FFI_CALL cdemo_ffi_version(vix_status *out_status)
{
    vix_str s = {"0.4.0", 5};
    set(out_status, VIX_STATUS_OK, "");
    return s;
}

CDEMO_API int VIX_FFI_CALL cdemo_twice(int64_t n, int64_t *out_value, vix_status *out_status)
{
    if (out_value == NULL) {
        return set(out_status, VIX_STATUS_INVALID_ARG, "out_value is NULL");
    }
    if (n > INT64_MAX / 2 || n < INT64_MIN / 2) {
        return set(out_status, VIX_STATUS_INVALID_ARG, "2 * n does not fit in 64 bits");
    }
    *out_value = 2 * n;
    return set(out_status, VIX_STATUS_OK, "");
}
"""

MANIFEST = """\
{
  "library": { "name": "cdemo" },
  "symbol_prefix": "cdemo_",
  "functions": [
    { "name": "ffi_version", "restype": "vix_str",
      "args": [{ "name": "out_status", "type": "vix_status_ptr" }] },
    { "name": "twice", "params": [{ "name": "n", "type": "int64" }], "returns": "int64" }
  ],
  "python": {
    "package": "cdemo",
    "exports": ["api"],
    "api": [
      { "name": "version", "calls": "ffi_version", "kind": "version" },
      { "name": "twice", "calls": "twice" }
    ]
  }
}
"""

CALL = (
    "import cdemo\n"
    "from cdemo import api\n"
    "print(api.twice(21), api.version(), cdemo.BACKEND)\n"
    "import cdemo._native as n\n"
    "print(n.LOADED_FROM)\n"
)


def make_project(root: Path) -> Path:
    project = root / "cdemo"
    project.mkdir(parents=True)
    (project / "CMakeLists.txt").write_text(CMAKELISTS)
    (project / "cdemo.c").write_text(CDEMO_C)
    (project / "helper.c").write_text("int helper(void) { return 1; }\n")
    (project / "bindings.json").write_text(MANIFEST)
    return project


def tools_env() -> dict[str, str]:
    """A clean environment (no venv active) with the test venv's Python (hatchling,
    ziglang) first on PATH."""
    env = clean_env()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    return env


def vix(
    *args: object, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run([vix_ffi_bin(), *args], cwd=cwd, env=tools_env(), check=check)


def installed_call(wheel: Path, venv_dir: Path) -> list[str]:
    venv = Venv(venv_dir)
    venv.install(wheel)
    out = venv.run_code(CALL, cwd=Path("/")).stdout.splitlines()
    assert venv.path in Path(out[1]).parents, "the bundled copy is the one loaded"
    return out[0].split()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("cmake"))


@pytest.fixture(scope="module")
def host_build(project: Path) -> tuple[Path, str]:
    """``vix-ffi build --cmake . --check`` in the project's folder."""
    proc = vix("build", "--cmake", ".", "--check", cwd=project)
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("built ")]
    return Path(line.removeprefix("built ")), proc.stdout + proc.stderr


def test_build_reports_each_step_and_the_wheel(
    host_build: tuple[Path, str], project: Path
) -> None:
    wheel, output = host_build
    steps = re.findall(r"^\[(\d)/6\] ([\w-]+( \w+)?):", output, re.MULTILINE)
    assert [name for _, name, _ in steps] == [
        "cmake configure",
        "cmake build",
        "check",
        "gen-python",
        "gen-package",
        "wheel",
    ], output
    assert "-DCMAKE_BUILD_TYPE=Release" in output
    assert re.search(r"\d+ passed, 0 failed", output), output
    assert wheel.parent == project / "target" / "wheels"
    assert f"\ntag py3-none-{platforms_of(wheel)}: " in output
    # Only the library's target was built, not the project's other library.
    build_dir = project / "target" / "cmake-release"
    assert (build_dir / "libcdemo.so").is_file()
    assert not (build_dir / "libhelper.so").exists()


def test_the_wheel_takes_the_cmake_projects_version_and_description(
    host_build: tuple[Path, str], tmp_path: Path
) -> None:
    wheel, _ = host_build
    match = re.fullmatch(
        rf"vix_cdemo-0\.4\.0-py3-none-(manylinux_2_(\d+)_{ARCH})(\..+)?\.whl",
        wheel.name,
    )
    assert match, wheel.name
    assert auditwheel_verdict(wheel) == match[1]
    assert "cdemo/libcdemo.so" in wheel_names(wheel)
    metadata = wheel_text(wheel, ".dist-info/METADATA")
    assert "Summary: A C demo of vix-ffi build --cmake" in metadata
    assert installed_call(wheel, tmp_path / "venv") == ["42", "0.4.0", "compiled"]


def test_manylinux_2014_compiles_with_zig_for_glibc_2_17(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "wheels"
    proc = vix("build", "--cmake", project, "--manylinux", "2014", "--out", out)
    assert "with zig cc and zig c++" in proc.stderr, proc.stderr
    assert "The C compiler identification is Clang" in proc.stderr, proc.stderr
    (wheel,) = out.glob("*.whl")
    assert proc.stdout.startswith(f"built {wheel}\n"), proc.stdout
    assert wheel.name == (
        f"vix_cdemo-0.4.0-py3-none-manylinux_2_17_{ARCH}.manylinux2014_{ARCH}.whl"
    )
    assert auditwheel_verdict(wheel) == f"manylinux_2_17_{ARCH}"
    assert (project / "target" / "cmake-manylinux_2_17" / "libcdemo.so").is_file()
    assert installed_call(wheel, tmp_path / "venv") == ["42", "0.4.0", "compiled"]


def test_a_folder_without_cmakelists_is_refused(tmp_path: Path) -> None:
    proc = vix("build", "--cmake", tmp_path, check=False)
    assert proc.returncode == 1
    assert f"{tmp_path} has no CMakeLists.txt" in proc.stderr, proc.stderr


def test_without_a_manifest_it_says_where_it_looked(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "bindings.json").rename(project / "api.json")
    proc = vix("build", "--cmake", project, check=False)
    assert proc.returncode == 1
    assert (
        f"no manifest found: looked for {project / 'bindings.json'}" in proc.stderr
    ), proc.stderr
    assert "pass --spec FILE" in proc.stderr
    assert "[1/" not in proc.stderr, "nothing was configured"
    # --spec names it.
    out = tmp_path / "wheels"
    vix("build", "--cmake", project, "--spec", project / "api.json", "--out", out)
    assert len(list(out.glob("vix_cdemo-0.4.0-*.whl"))) == 1


def test_a_manifest_naming_another_library_is_refused_with_the_targets(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    manifest = project / "bindings.json"
    manifest.write_text(manifest.read_text().replace('"cdemo" }', '"other" }'))
    out = tmp_path / "wheels"
    proc = vix("build", "--cmake", project, "--out", out, check=False)
    assert proc.returncode == 1
    assert (
        "looked for a shared library target building libother.so (the manifest's "
        'library.name is "other")' in proc.stderr
    ), proc.stderr
    assert "libcdemo.so (target cdemo), libhelper.so (target helper)" in proc.stderr
    assert "[2/" not in proc.stderr
    assert not out.exists()


def test_a_bad_manifest_is_refused_before_configuring(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "bindings.json").write_text('{"library": {}}')
    proc = vix("build", "--cmake", project, check=False)
    assert proc.returncode == 1
    assert f"{project / 'bindings.json'} does not parse" in proc.stderr, proc.stderr
    assert "[1/" not in proc.stderr
    assert not (project / "target").exists()


def test_a_project_without_a_version_needs_one(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    lists = project / "CMakeLists.txt"
    lists.write_text(lists.read_text().replace("VERSION 0.4.0 ", ""))
    out = tmp_path / "wheels"
    proc = vix("build", "--cmake", project, "--out", out, check=False)
    assert proc.returncode == 1
    assert "has no version, and the wheel needs one" in proc.stderr, proc.stderr
    vix("build", "--cmake", project, "--out", out, "--version", "1.2")
    assert len(list(out.glob("vix_cdemo-1.2-*.whl"))) == 1


def test_a_failed_compilation_names_the_step(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "cdemo.c").write_text(CDEMO_C.replace("2 * n;", "2 * m;"))
    out = tmp_path / "wheels"
    proc = vix("build", "--cmake", project, "--out", out, check=False)
    assert proc.returncode == 1
    assert "error: cmake build failed: `cmake --build` exited with exit status: " in (
        proc.stderr
    ), proc.stderr
    assert "undeclared" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--spec", "x.json"], "--cmake <DIR>"),
        (["--cmake", ".", "--crate", "."], "cannot be used with"),
    ],
)
def test_option_mistakes(args: list[str], message: str, tmp_path: Path) -> None:
    proc = vix("build", *args, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
