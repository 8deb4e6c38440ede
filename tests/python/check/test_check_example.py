"""``vix-ffi check`` on libraries that honour the contract, and runs that cannot run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from check_helpers import (
    EXAMPLE_SPEC,
    REPO_ROOT,
    CheckRun,
    ascii_promised,
    blocks_declared,
    run_check,
)
from vix_test_env import c_compiler

OPERATION_RULES = [
    "symbol",
    "size-query",
    "one-short",
    "exact-capacity",
    "no-overflow",
    "input-bounds",
    "rc-status",
    "status-written",
    "null-args",
    "null-status",
    "deterministic",
    "message-utf8",
    "message-lifetime",
    "robustness",
    "threads",
    "leaks",
    "allocation-failure",
]
VERSION_RULES = [
    "symbol",
    "version-status",
    "version-utf8",
    "version-nonempty",
    "version-stable",
    "null-status",
]


def operation_rules(spec: Path, function: str) -> list[str]:
    """The rules of an operation in report order: then ``ascii-output``, only when the
    manifest promises the function's output ASCII, and ``output-blocks`` last, only when
    it declares the function's output size."""
    extra = ["ascii-output"] if function in ascii_promised(spec) else []
    if function in blocks_declared(spec):
        extra.append("output-blocks")
    return OPERATION_RULES + extra


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any library search path, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIX_LIB_PATH", "LD_LIBRARY_PATH", "TEXTLIB_LIB_PATH")
    }
    env.update(extra)
    return env


def test_the_example_passes_every_rule(example_lib: Path) -> None:
    run = run_check("--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib))
    got = [(r["function"], r["rule"], r["outcome"]) for r in run.results()]
    want = (
        [("version", rule, "pass") for rule in VERSION_RULES]
        + [("encode", rule, "pass") for rule in operation_rules(EXAMPLE_SPEC, "encode")]
        + [("decode", rule, "pass") for rule in operation_rules(EXAMPLE_SPEC, "decode")]
    )
    assert got == want, run.describe()
    assert run.code == 0, run.describe()
    assert run.report is not None
    assert run.report["exit_code"] == 0
    # Its leaks are checked with the shim loaded, not skipped.
    assert run.outcome("encode", "leaks")["outcome"] == "pass"


def assert_example_passes(run: CheckRun) -> None:
    """Every rule passed."""
    assert run.code == 0, run.describe()
    assert run.failed() == set(), run.describe()


def test_the_example_answers_failed_allocations_with_an_error_status(
    example_lib: Path,
) -> None:
    """allocation-failure really failed allocations of both operations (their error
    messages, built by the vix-ffi crate and the example with try_format!, are the
    allocations of a size query and a refusal) and each call answered with a status
    instead of Rust's abort."""
    run = run_check("--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib))
    for function in ("encode", "decode"):
        result = run.outcome(function, "allocation-failure")
        assert result["outcome"] == "pass", result
        counts = re.match(r"(\d+) calls with one allocation failing", result["seen"])
        assert counts and int(counts[1]) > 0, result
    # decode's refused inputs (their messages name an offset) were among them.
    seen = run.outcome("decode", "allocation-failure")["seen"]
    refused = re.search(r"accepted and (\d+) refused inputs", seen)
    assert refused and int(refused[1]) > 0, seen
    # The decoder got real encodings to accept: the sizing rules did not run on nothing.
    seen = run.outcome("decode", "size-query")["seen"]
    assert "accepted inputs" in seen and not seen.startswith("size queries of 0"), seen


@pytest.mark.parametrize("kernels", ["avx2", "portable"])
def test_the_example_passes_every_rule_on_narrower_kernels(
    example_lib: Path, kernels: str
) -> None:
    """The codec uses the widest kernels the CPU has; ``BASE64_FFI_KERNELS`` caps them, so
    that the AVX2 kernels (and base64-simd alone) are checked on an AVX-512 machine too,
    input-bounds above all: vector loops are where reads past the input come from."""
    env = clean_env(BASE64_FFI_KERNELS=kernels)
    run = run_check("--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib), env=env)
    assert_example_passes(run)
    assert "skip" not in {r["outcome"] for r in run.results()}, run.describe()
    for function in ("encode", "decode"):
        assert run.outcome(function, "input-bounds")["outcome"] == "pass"


def test_text_output_is_one_line_per_rule_per_function(example_lib: Path) -> None:
    run = run_check(
        "--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib), json_output=False
    )
    assert run.code == 0, run.describe()
    lines = run.stdout.splitlines()
    rule_lines = [line for line in lines if line.startswith(("PASS", "FAIL", "SKIP"))]
    count = len(VERSION_RULES) + sum(
        len(operation_rules(EXAMPLE_SPEC, f)) for f in ("encode", "decode")
    )
    assert len(rule_lines) == count, run.stdout
    assert all(line.startswith("PASS  ") for line in rule_lines), run.stdout
    assert any(line.split()[1:3] == ["encode", "no-overflow"] for line in rule_lines)
    assert all("seen " in line and "expected " in line for line in rule_lines)
    assert lines[-1] == f"{count} passed, 0 failed, 0 skipped"


def test_the_example_keeps_an_ascii_promise_on_encode(
    tmp_path: Path, example_lib: Path
) -> None:
    """Base64 is ASCII: with ``"ascii": true`` on encode (whether or not the example's
    manifest says it yet), ascii-output passes for encode and is not listed for decode,
    whose output is bytes."""
    manifest = json.loads(EXAMPLE_SPEC.read_text())
    for api in manifest["python"]["api"]:
        if api["calls"] == "encode":
            api["ascii"] = True
    spec = tmp_path / "bindings.json"
    spec.write_text(json.dumps(manifest, indent=2))
    run = run_check("--spec", str(spec), "--lib", str(example_lib))
    assert_example_passes(run)
    result = run.outcome("encode", "ascii-output")
    assert result["outcome"] == "pass", result
    assert result["seen"].endswith("all ASCII"), result
    assert not result["seen"].startswith("0 successful"), result
    rules = [r["rule"] for r in run.results() if r["function"] == "encode"]
    assert rules == operation_rules(spec, "encode") and "ascii-output" in rules
    assert "ascii-output" not in {
        r["rule"] for r in run.results() if r["function"] == "decode"
    }


def test_the_example_keeps_its_base64_output_size_on_encode(
    tmp_path: Path, example_lib: Path
) -> None:
    """Padded base64 is 4 bytes per 3 input bytes: with ``"output_blocks": {"in": 3,
    "out": 4}`` on encode (whether or not the example's manifest says it yet),
    output-blocks passes for encode, large inputs included, and is not listed for
    decode; a wrong declaration ({"in": 3, "out": 5}) fails, naming it."""
    manifest = json.loads(EXAMPLE_SPEC.read_text())
    for api in manifest["python"]["api"]:
        if api["calls"] == "encode":
            api["output_blocks"] = {"in": 3, "out": 4}
    spec = tmp_path / "bindings.json"
    spec.write_text(json.dumps(manifest, indent=2))
    run = run_check("--spec", str(spec), "--lib", str(example_lib))
    assert_example_passes(run)
    result = run.outcome("encode", "output-blocks")
    assert result["outcome"] == "pass", result
    assert "of 1 MiB among them" in result["seen"], result
    assert '"output_blocks": {"in": 3, "out": 4}' in result["seen"], result
    assert not result["seen"].startswith("0 successful"), result
    rules = [r["rule"] for r in run.results() if r["function"] == "encode"]
    assert rules == operation_rules(spec, "encode") and rules[-1] == "output-blocks"
    assert "output-blocks" not in {
        r["rule"] for r in run.results() if r["function"] == "decode"
    }

    for api in manifest["python"]["api"]:
        if api["calls"] == "encode":
            api["output_blocks"] = {"in": 3, "out": 5}
    spec.write_text(json.dumps(manifest, indent=2))
    wrong = run_check("--spec", str(spec), "--lib", str(example_lib))
    assert wrong.code == 1, wrong.describe()
    assert wrong.failed() == {("encode", "output-blocks")}, wrong.describe()
    result = wrong.outcome("encode", "output-blocks")
    # The first non-empty input: 1 byte, encoded to 4 characters where 5 are declared.
    assert result["input"].startswith("encode(one byte 0x00 (1 byte"), result
    assert result["seen"].startswith(
        "the size query (out_ptr NULL, out_cap 0) gave VIX_STATUS_BUFFER_TOO_SMALL, "
        "out_len 4; the call with out_cap "
    ), result
    assert "succeeded and wrote 4 bytes (out_len 4)" in result["seen"], result
    assert result["expected"].startswith(
        '5 bytes = 5 * ceil(1 / 3), as "output_blocks": {"in": 3, "out": 5} of '
        'python.api entry "encode" declares'
    ), result


def test_the_library_is_found_through_the_manifest_env_var(
    example_lib: Path, lib_dir: Path
) -> None:
    env = clean_env(VIX_LIB_PATH=os.pathsep.join(["", "/nonexistent", str(lib_dir)]))
    run = run_check("--spec", str(EXAMPLE_SPEC), env=env)
    assert_example_passes(run)
    assert run.report is not None
    assert Path(run.report["library"]).resolve() == example_lib.resolve()


def test_lib_may_name_the_folder(lib_dir: Path) -> None:
    run = run_check(
        "--spec", str(EXAMPLE_SPEC), "--lib", str(lib_dir), "--iterations", "4"
    )
    assert_example_passes(run)


def test_search_paths_are_relative_to_the_manifest(
    tmp_path: Path, example_lib: Path
) -> None:
    text = EXAMPLE_SPEC.read_text()
    spec = tmp_path / "bindings.json"
    spec.write_text(text.replace('"search_paths": []', '"search_paths": ["libs"]'))
    (tmp_path / "libs").mkdir()
    shutil.copy(example_lib, tmp_path / "libs" / example_lib.name)
    run = run_check("--spec", str(spec), "--iterations", "4", env=clean_env())
    assert_example_passes(run)
    assert run.report is not None
    assert Path(run.report["library"]) == tmp_path / "libs" / example_lib.name


def test_a_library_that_cannot_be_found_exits_2(tmp_path: Path) -> None:
    env = clean_env(VIX_LIB_PATH=str(tmp_path))
    run = run_check("--spec", str(EXAMPLE_SPEC), env=env)
    assert run.code == 2, run.describe()
    assert "library not loadable" in run.stderr
    assert str(tmp_path / "libbase64_ffi.so") in run.stderr
    assert run.report is not None
    assert run.report["error"]["kind"] == "library"
    assert run.report["exit_code"] == 2


def test_a_file_that_is_not_a_library_exits_2(tmp_path: Path) -> None:
    fake = tmp_path / "libbase64_ffi.so"
    fake.write_text("not an ELF file\n")
    run = run_check("--spec", str(EXAMPLE_SPEC), "--lib", str(fake), json_output=False)
    assert run.code == 2, run.describe()
    assert "library not loadable" in run.stderr
    assert str(fake) in run.stderr


def test_a_bad_manifest_exits_2_naming_the_problem(
    tmp_path: Path, example_lib: Path
) -> None:
    spec = tmp_path / "bindings.json"
    text = EXAMPLE_SPEC.read_text().replace('"size_t_ptr"', '"size_t"', 1)
    spec.write_text(text)
    run = run_check("--spec", str(spec), "--lib", str(example_lib))
    assert run.code == 2, run.describe()
    assert "bad manifest" in run.stderr
    assert "functions[1].args[4].type" in run.stderr
    assert run.report is not None
    assert run.report["error"]["kind"] == "manifest"

    missing = run_check("--spec", str(tmp_path / "nope.json"), json_output=False)
    assert missing.code == 2
    assert "nope.json" in missing.stderr


def test_the_c_textlib_fixture_passes(work_dir: Path) -> None:
    """A library written in plain C by "somebody else" (tests/fixtures/c_textlib)."""
    out = work_dir / "check" / "textlib"
    out.mkdir(parents=True, exist_ok=True)
    lib = out / "libtextlib.so"
    src = REPO_ROOT / "tests" / "fixtures" / "c_textlib"
    subprocess.run(
        [
            c_compiler(),
            "-std=c11",
            "-O2",
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
            "-DVIX_FFI_BUILD_DLL",
            f"-I{REPO_ROOT / 'include'}",
            str(src / "textlib.c"),
            "-o",
            str(lib),
        ],
        check=True,
    )
    run = run_check("--spec", str(src / "bindings.json"), "--lib", str(lib))
    assert run.code == 0, run.describe()
    assert {r["outcome"] for r in run.results()} == {"pass"}, run.describe()


@pytest.mark.parametrize("seed", ["3", "12345"])
def test_the_same_seed_gives_the_same_report(example_lib: Path, seed: str) -> None:
    args = ("--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib), "--seed", seed)
    first, second = run_check(*args), run_check(*args)
    assert first.code == second.code
    assert_example_passes(first)
    assert first.report == second.report
    assert first.report is not None and first.report["seed"] == int(seed)


@pytest.mark.parametrize("kernels", ["", "avx2"])
def test_the_example_survives_a_short_fuzz_run(example_lib: Path, kernels: str) -> None:
    """--fuzz 1 on both kernel sets: encode and decode keep the contract on mutated
    inputs (a decoder gets mutated real encodings). The long run is in the guide's checker chapter."""
    env = clean_env(BASE64_FFI_KERNELS=kernels) if kernels else None
    run = run_check(
        "--spec", str(EXAMPLE_SPEC), "--lib", str(example_lib), "--fuzz", "1", env=env
    )
    assert_example_passes(run)
    for function in ("encode", "decode"):
        result = run.outcome(function, "fuzz")
        assert result["outcome"] == "pass", result
        assert not result["seen"].startswith("0 mutated"), result
