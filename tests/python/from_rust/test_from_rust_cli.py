"""``vix-ffi from-rust`` as a user runs it: on the bundled example, with its
options, and on a crate it must refuse."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import ModuleType

from from_rust_helpers import REPO_ROOT, VIX_FFI_BIN

EXAMPLE = REPO_ROOT / "examples" / "base64_ffi"


def vix_ffi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VIX_FFI_BIN), *args], capture_output=True, text=True, check=False
    )


def test_the_example_is_what_from_rust_writes() -> None:
    proc = vix_ffi("from-rust", "--crate", str(EXAMPLE), "--check")
    assert proc.returncode == 0, proc.stderr
    assert "up to date (version, encode, decode)" in proc.stdout


def test_the_ascii_flag_reaches_the_manifest_and_the_header() -> None:
    """`encode` carries `ascii` in the source; only its entry promises ASCII."""
    assert (
        '    kind = "bytes_to_str",\n    ascii\n)]\npub fn encode('
        in (EXAMPLE / "src" / "lib.rs").read_text()
    )
    manifest = json.loads((EXAMPLE / "bindings.json").read_text())
    promised = {a["name"]: a.get("ascii", False) for a in manifest["python"]["api"]}
    assert promised == {"version": False, "encode": True, "decode": False}
    header = (EXAMPLE / "include" / "base64" / "base64_ffi.h").read_text()
    encode = header[: header.index(" base64_encode(")]
    encode = " ".join(
        line.lstrip(" *") for line in encode[encode.rindex("/*") :].splitlines()
    )
    assert "The result is ASCII text (every byte below 0x80)" in encode, encode


def test_output_paths_can_be_chosen(tmp_path: Path) -> None:
    manifest = tmp_path / "m" / "bindings.json"
    header = tmp_path / "h" / "base64.h"
    proc = vix_ffi(
        "from-rust",
        "--crate",
        str(EXAMPLE),
        "--out-manifest",
        str(manifest),
        "--out-header",
        str(header),
    )
    assert proc.returncode == 0, proc.stderr
    assert manifest.read_text() == (EXAMPLE / "bindings.json").read_text()
    assert (
        header.read_text()
        == (EXAMPLE / "include" / "base64" / "base64_ffi.h").read_text()
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "base64.h",
        "bindings.json",
        "h",
        "m",
    ], "temporary files were left behind"


def test_check_names_stale_files(tmp_path: Path) -> None:
    stale = tmp_path / "bindings.json"
    stale.write_text("{}\n")
    proc = vix_ffi(
        "from-rust", "--crate", str(EXAMPLE), "--out-manifest", str(stale), "--check"
    )
    assert proc.returncode == 1
    assert f"out of date with the source of {EXAMPLE}: {stale}" in proc.stderr
    assert stale.read_text() == "{}\n"


def test_refusals_name_the_place_and_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "bad"\nversion = "0.1.0"\n')
    (tmp_path / "src" / "lib.rs").write_text(
        '#[vix_ffi::export(prefix = "bad_")]\n'
        'pub const VERSION: &str = "1";\n'
        "\n"
        "#[vix_ffi::export]\n"
        "pub fn f(data: &[u8]) -> Vec<u8> { data.to_vec() }\n"
    )
    proc = vix_ffi("from-rust", "--crate", str(tmp_path))
    assert proc.returncode == 1
    lib_rs = tmp_path / "src" / "lib.rs"
    assert f"{lib_rs}:4:1: missing `prefix`" in proc.stderr
    assert f"{lib_rs}:5:26: `Vec<u8>` is not a `Result`" in proc.stderr
    assert "2 problems in the source of" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert not (tmp_path / "bindings.json").exists()
    assert not (tmp_path / "include").exists()


def test_python_docstrings_are_the_doc_comments(base64_pkg: ModuleType) -> None:
    source = (EXAMPLE / "src" / "lib.rs").read_text()
    api = base64_pkg.api
    summaries = {
        "version": "The library's version string.",
        "encode": "Encode bytes as standard base64 with padding and no line breaks.",
        "decode": "Decode strict standard base64: padded, no whitespace, "
        "canonical final bits.",
    }
    for name, summary in summaries.items():
        assert f"/// {summary}\n" in source
        doc = getattr(api, name).__doc__
        assert doc is not None and doc.startswith(summary), (name, doc)
