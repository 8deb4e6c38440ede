"""Without --copy-lib and without the compiled backend (--no-compile, or no C compiler): a
pure wheel, whose README says where the library must come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from vixpkg_helpers import (
    LIBRARY_FILE,
    PACKAGE,
    Venv,
    clean_env,
    gen_package,
    wheel_names,
    wheel_text,
)


def test_the_pure_wheel_is_py3_none_any(pure_wheel: Path) -> None:
    assert pure_wheel.name.endswith("-py3-none-any.whl"), pure_wheel.name
    assert "Root-Is-Purelib: true" in wheel_text(pure_wheel, ".dist-info/WHEEL")
    names = wheel_names(pure_wheel)
    assert not [n for n in names if n.endswith(".so")], names
    assert f"{PACKAGE}/py.typed" in names


def test_its_readme_says_where_the_library_must_come_from(pure_wheel: Path) -> None:
    readme = wheel_text(pure_wheel, ".dist-info/METADATA")
    assert "the native library is not in it" in readme
    assert "`VIX_LIB_PATH`" in readme and "system loader" in readme
    assert f"`{LIBRARY_FILE}`" in readme


@pytest.fixture(scope="module")
def pure_venv(pure_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    venv = Venv(tmp_path_factory.mktemp("venv-pure") / "venv")
    venv.install(pure_wheel)
    return venv


def test_installed_it_finds_the_library_through_the_variable(
    pure_venv: Venv, outside: Path, lib_dir: Path
) -> None:
    code = "from base64_ffi import api; print(api.decode(api.encode(b'hello')))"
    proc = pure_venv.run_code(code, cwd=outside, VIX_LIB_PATH=str(lib_dir))
    assert proc.stdout.strip() == "b'hello'"


def test_installed_without_the_variable_the_import_error_says_what_to_do(
    pure_venv: Venv, outside: Path
) -> None:
    code = (
        "try:\n"
        "    import base64_ffi\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__); print(e)\n"
    )
    out = pure_venv.run_code(code, cwd=outside).stdout
    assert out.startswith("LibraryNotFoundError"), out
    assert "VIX_LIB_PATH" in out and LIBRARY_FILE in out


def test_without_a_compiler_the_wheel_is_pure_ctypes_and_says_so(
    generated_src: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    proc = gen_package(
        "--package",
        PACKAGE,
        "--src",
        generated_src,
        "--out",
        project,
        env=clean_env(CC=str(tmp_path / "no-such-cc")),
    )
    assert "no C compiler" in proc.stderr, proc.stderr
    assert "the wheel has no compiled backend and runs on ctypes" in proc.stderr
    assert "py3-none-any" in proc.stdout, proc.stdout
    assert not list(project.rglob("_vix_ext.*.so"))
    assert not (project / "hatch_build.py").exists()
