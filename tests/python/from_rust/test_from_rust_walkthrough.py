"""The walk-through of the guide's Rust chapter (docs/guide/src/rust-authors.md), run as
written.

The steps are read from the chapter itself: ``sh`` blocks are run line by line in one
shell, the ``toml`` block is appended to ``Cargo.toml``, the ``rust`` block replaces
``src/lib.rs``, and the ``text`` block is what the last command prints. Only two things
are added between the lines, for speed: once the crate exists, its ``target`` folder
becomes a link to a target folder shared by the suite, and it gets the workspace's
``Cargo.lock``. The reference examples after the steps are built and called too.
"""

from __future__ import annotations

import ctypes
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vix_test_env
from from_rust_helpers import (
    REPO_ROOT,
    SHARED_TARGET,
    crate_env,
    guide_blocks,
    prepare_crate,
    run,
)


def test_the_walkthrough_has_the_expected_shape() -> None:
    steps, reference = guide_blocks()
    assert [b.lang for b in steps] == ["sh", "toml", "rust", "sh", "text"]
    assert [b.lang for b in reference] == ["rust", "rust", "rust", "rust"]


def test_the_readme_example_is_the_walkthrough_library() -> None:
    """The README's 30-second example is the walk-through's ``src/lib.rs`` without its
    crate-level lines, so that building and calling the one (below) tests the other."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"^```rust\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    steps, _ = guide_blocks()
    (library,) = [b.text for b in steps if b.lang == "rust"]
    body = [line for line in library.splitlines() if not line.startswith(("//!", "#!"))]
    assert example.strip() == "\n".join(body).strip()


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Runs the chapter's steps; returns the crate folder and what the script printed."""
    steps, _ = guide_blocks()
    root = tmp_path_factory.mktemp("walkthrough")
    script = [
        "set -euo pipefail",
        # Once `cargo new` has made the crate, share the suite's target folder and lock.
        (
            "_vix_hook() { if [ -f Cargo.toml ] && [ ! -e target ]; then "
            f"ln -s {shlex.quote(str(SHARED_TARGET))} target; "
            f"cp {shlex.quote(str(REPO_ROOT / 'Cargo.lock'))} Cargo.lock; fi; }}"
        ),
    ]
    expected = None
    for block in steps:
        if block.lang == "sh":
            for line in block.text.splitlines():
                if line.strip():
                    script += ["_vix_hook", line]
        elif block.lang == "toml":
            script.append("printf '\\n' >> Cargo.toml")
            script.append(f"cat >> Cargo.toml <<'VIX_EOF'\n{block.text}VIX_EOF")
        elif block.lang == "rust":
            script.append(f"cat > src/lib.rs <<'VIX_EOF'\n{block.text}VIX_EOF")
        elif block.lang == "text":
            expected = block.text
    SHARED_TARGET.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=root,
        env=crate_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, (
        f"the walk-through failed:\n{proc.stdout}\n{proc.stderr}"
    )
    assert expected is not None
    assert proc.stdout.endswith(expected), proc.stdout
    return root / "greet", proc.stdout


def test_the_library_exports_only_its_api(walkthrough: tuple[Path, str]) -> None:
    crate, _ = walkthrough
    library = crate / "target" / "release" / "libgreet.so"
    if sys.platform != "linux" or shutil.which("nm") is None:
        pytest.skip("needs a Linux shared library and nm")
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", str(library)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    functions = sorted(
        line.split()[-1] for line in symbols.splitlines() if line.split()[1:2] == ["T"]
    )
    assert functions == ["greet_ffi_version", "greet_hello"]


def test_the_manifest_and_header_describe_the_source(
    walkthrough: tuple[Path, str],
) -> None:
    crate, _ = walkthrough
    manifest = json.loads((crate / "bindings.json").read_text())
    assert manifest["library"] == {
        "name": "greet",
        "env_var": "VIX_LIB_PATH",
        "search_paths": [],
    }
    assert manifest["symbol_prefix"] == "greet_"
    assert manifest["python"]["api"] == [
        {"name": "version", "calls": "version", "kind": "version"},
        {"name": "hello", "calls": "hello", "kind": "str_to_str"},
    ]
    header = (crate / "include" / "greet" / "greet.h").read_text()
    assert " * Greet someone by name.\n" in header
    assert "VIX_FFI_API int VIX_FFI_CALL greet_hello(const uint8_t *in_ptr" in header
    assert (
        "VIX_FFI_API vix_str VIX_FFI_CALL greet_ffi_version(vix_status *out_status);"
        in header
    )
    run(["vix-ffi", "from-rust", "--crate", ".", "--check"], crate)


def check(crate: Path) -> subprocess.CompletedProcess[str]:
    """`vix-ffi check` of the crate's release build; exit 0, or 1 for the
    allocation-failure of a function that returns a `String` (see
    assert_only_allocation_failure_of)."""
    proc = subprocess.run(
        ["vix-ffi", "check", "--spec", "bindings.json", "--lib", "target/release"],
        cwd=crate,
        env=crate_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), f"{proc.stdout}\n{proc.stderr}"
    return proc


def assert_only_allocation_failure_of(report: str, function: str) -> None:
    """Every rule of `vix-ffi check` passed but allocation-failure of `function`, which
    returns a `String` built with `format!`: Rust aborts the process when that allocation
    fails, whatever the vix-ffi crate does around it (the crate's own messages no longer
    allocate infallibly), so the rule reports Rust's abort (see the guide's checker
    chapter, "Allocation failure, per language"). The sized forms pass it."""
    failed = [line for line in report.splitlines() if line.startswith("FAIL")]
    assert [line.split()[1:3] for line in failed] == [
        [function, "allocation-failure"]
    ], report
    assert "Rust's standard library aborts when an allocation fails" in failed[0], (
        report
    )
    assert "try_reserve" in failed[0], report


def test_the_library_passes_the_abi_checker(walkthrough: tuple[Path, str]) -> None:
    crate, _ = walkthrough
    proc = check(crate)
    assert proc.stdout.rstrip().endswith("1 failed, 0 skipped"), proc.stdout
    assert_only_allocation_failure_of(proc.stdout, "hello")


def test_python_gets_docstrings_and_exceptions(
    walkthrough: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    crate, _ = walkthrough
    code = (
        "from greet import api\n"
        "assert api.version() == '0.1.0', api.version()\n"
        "assert api.hello.__doc__ is not None\n"
        "doc = api.hello.__doc__\n"
        "assert doc.startswith('Greet someone by name.'), doc\n"
        "assert api.hello('wörld') == 'Hello, wörld!'\n"
        "try:\n"
        "    api.hello('')\n"
        "except api.InvalidArgumentError as e:\n"
        "    assert e.message == 'the name is empty', e.message\n"
        "else:\n"
        "    raise AssertionError('no exception')\n"
        "print('ok')\n"
    )
    env = crate_env()
    env["VIX_LIB_PATH"] = str(crate / "target" / "release")
    env["PYTHONPATH"] = str(crate / "py" / "python")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == "ok\n", proc.stderr


def _reference_crate(tmp_path: Path, modules: dict[str, str]) -> Path:
    """A release-built crate `mylib` with a version string and the given modules, its
    manifest and its Python package."""
    crate = tmp_path / "mylib"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "mylib"\nversion = "0.1.0"\nedition = "2024"\n\n'
        "[dependencies]\n"
        f'vix-ffi = {{ path = "{REPO_ROOT / "crates" / "vix-ffi"}" }}\n\n'
        '[lib]\ncrate-type = ["cdylib"]\n'
    )
    (crate / "src" / "lib.rs").write_text(
        '/// The version.\n#[vix_ffi::export(prefix = "mylib_")]\n'
        'pub const VERSION: &str = "1.0.0";\n\n'
        + "".join(f"mod {name} {{\n{text}}}\n\n" for name, text in modules.items())
    )
    prepare_crate(crate)
    run(["cargo", "build", "--release", "--quiet"], crate)
    run(["vix-ffi", "from-rust", "--crate", "."], crate)
    run(
        ["vix-ffi", "gen-python", "--spec", "bindings.json", "--out", "py"]
        + vix_test_env.compile_args(),
        crate,
    )
    return crate


def _python(crate: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = crate_env()
    env["VIX_LIB_PATH"] = str(crate / "target" / "release")
    env["PYTHONPATH"] = str(crate / "py" / "python")
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_reference_examples_build_and_work(tmp_path: Path) -> None:
    """The sized `upper` and the `RawCall` example of the chapter, in one crate."""
    _, reference = guide_blocks()
    sized, _, _, raw = (b.text for b in reference)
    crate = _reference_crate(tmp_path, {"sized": sized, "raw": raw})
    manifest = json.loads((crate / "bindings.json").read_text())
    assert [f["name"] for f in manifest["functions"]] == ["version", "upper"]
    proc = _python(crate, "from mylib import api; print(api.upper('abc'))")
    assert proc.stdout == "ABC\n", proc.stderr
    checked = check(crate)
    # The sized `upper` allocates nothing, and passes allocation-failure too.
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.rstrip().endswith(" 0 failed, 0 skipped"), checked.stdout
    library = ctypes.CDLL(str(crate / "target" / "release" / "libmylib.so"))
    assert library.mylib_lower is not None


def test_the_typed_reference_example_builds_and_works(tmp_path: Path) -> None:
    """The chapter's typed signatures and error enum, built and called."""
    _, reference = guide_blocks()
    _, typed, _, _ = (b.text for b in reference)
    crate = _reference_crate(tmp_path, {"typed": typed})
    manifest = json.loads((crate / "bindings.json").read_text())
    assert [f["name"] for f in manifest["functions"]] == [
        "version",
        "crc32",
        "clamp",
        "repeat",
    ]
    assert [e["name"] for e in manifest["errors"]] == ["RangeError", "TooLongError"]
    proc = _python(
        crate,
        "import inspect\n"
        "from mylib import api\n"
        "print(api.crc32(b'123456789'), api.clamp(5, 0, 2),"
        " api.repeat('ab', 3, '-'), api.repeat('x', 2))\n"
        "print(inspect.signature(api.crc32), inspect.signature(api.repeat))\n"
        "try:\n"
        "    api.clamp(0, 2, 1)\n"
        "except ValueError as e:\n"
        "    print(type(e).__name__, e.code, e.message)\n",
    )
    assert proc.stdout == (
        "3421780262 2.0 ab-ab-ab xx\n"
        "(data: 'Buffer', *, seed: 'int' = 0) -> 'int' "
        "(text: 'str | Buffer', times: 'int', sep: 'str | Buffer' = '') -> 'str'\n"
        "RangeError 1000 lo 2 is greater than hi 1\n"
    ), proc.stdout + proc.stderr


def test_the_class_reference_example_builds_and_works(tmp_path: Path) -> None:
    """The chapter's exported class, built and used from Python."""
    _, reference = guide_blocks()
    _, _, classes, _ = (b.text for b in reference)
    crate = _reference_crate(tmp_path, {"classes": classes})
    manifest = json.loads((crate / "bindings.json").read_text())
    assert [c["name"] for c in manifest["classes"]] == ["Fnv"]
    proc = _python(
        crate,
        "import inspect\n"
        "from mylib import Fnv\n"
        "h = Fnv(b'ab')\n"
        "assert h.update(b'c') is h\n"
        "c = h.copy()\n"
        "h.absorb(c)\n"
        "print(c.digest() == Fnv(b'abc').digest(), Fnv.digest_size, h.closed)\n"
        "print(inspect.signature(Fnv))\n",
    )
    assert proc.stdout == (
        "True 8 False\n"
        "(data: 'Buffer' = b'', /, *, key: 'Buffer | None' = None) -> 'None'\n"
    ), proc.stdout + proc.stderr
