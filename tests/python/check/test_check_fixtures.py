"""``vix-ffi check`` on fixture libraries each breaking one rule (tests/fixtures/check).

Each broken build must be reported under the rule it breaks, with exit code 1, and only
under rules that the same bug breaks too (a wrong size query also makes the one-short
and exact-capacity calls disagree with it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_helpers import FIXTURE_SPEC, ascii_promised, run_check

OPS = ("hex_encode", "hex_decode", "ascii_escape")
# The operations the fixture manifest promises ASCII output for ("ascii": true).
ASCII = ("hex_encode", "ascii_escape")
SIZING = ("size-query", "one-short", "exact-capacity")

# bug: (failures that must be reported, other failures the same bug may cause)
EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {
    "OVERFLOW": ({("hex_encode", "no-overflow")}, set()),
    "QUERY_SIZE": (
        {(f, "size-query") for f in OPS},
        {(f, r) for f in OPS for r in SIZING},
    ),
    "RC": ({("hex_decode", "rc-status")}, set()),
    "NO_STATUS": ({("hex_decode", "status-written")}, set()),
    "NULL_OUT_LEN": ({(f, "null-args") for f in OPS}, set()),
    "NONDETERMINISTIC": (
        {("hex_encode", "deterministic")},
        {("hex_encode", "threads")},
    ),
    "BAD_UTF8": ({("hex_decode", "message-utf8")}, set()),
    "DANGLING_MESSAGE": (
        {("hex_decode", "message-lifetime")},
        {("hex_decode", "message-utf8"), ("hex_decode", "threads")},
    ),
    "SHARED_BUFFER": ({("hex_encode", "threads")}, set()),
    "MISSING_SYMBOL": ({("hex_decode", "symbol")}, set()),
    "VERSION_EMPTY": ({("version", "version-nonempty")}, set()),
    "VERSION_UTF8": ({("version", "version-utf8")}, set()),
    "NON_ASCII": ({("hex_encode", "ascii-output")}, set()),
    "ASTRAL": ({("ascii_escape", "ascii-output")}, set()),
}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_broken_rule_is_reported_by_name(
    bug: str, fixture_libs: dict[str, Path]
) -> None:
    must, may = EXPECTED[bug]
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs[bug]))
    assert run.code == 1, run.describe()
    failed = run.failed()
    assert must <= failed, f"missing {must - failed}\n{run.describe()}"
    assert failed <= must | may, f"unexpected {failed - must - may}\n{run.describe()}"
    for function, rule in must:
        result = run.outcome(function, rule)
        assert result["seen"] and result["expected"], result
    assert run.report is not None and run.report["exit_code"] == 1


def test_the_correct_build_passes_every_rule(fixture_libs: dict[str, Path]) -> None:
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["NONE"]))
    assert run.code == 0, run.describe()
    assert {r["outcome"] for r in run.results()} == {"pass"}, run.describe()
    # ascii-output is applied, and passes, exactly where the manifest promises ASCII.
    assert ascii_promised(FIXTURE_SPEC) == set(ASCII)
    with_rule = {r["function"] for r in run.results() if r["rule"] == "ascii-output"}
    assert with_rule == set(ASCII), run.describe()
    for function in ASCII:
        seen = run.outcome(function, "ascii-output")["seen"]
        assert seen.endswith("all ASCII") and "valid UTF-8 texts" in seen, seen


def test_a_broken_ascii_promise_names_the_input_byte_and_offset(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["NON_ASCII"])
    )
    assert run.code == 1, run.describe()
    result = run.outcome("hex_encode", "ascii-output")
    assert result["outcome"] == "fail", result
    # The first input of the corpus that has a 0xff byte, which encodes to c3 bf.
    assert result["input"].startswith('hex_encode(one byte 0xff (1 byte: b"\\xff")')
    assert result["seen"].startswith(
        "byte 0xc3 at offset 0 of the 2-byte output is not ASCII"
    ), result
    assert '"ascii": true' in result["expected"], result
    assert "offset 510 of the 512-byte output" in result["detail"], result

    text = run_check(
        "--spec",
        str(FIXTURE_SPEC),
        "--lib",
        str(fixture_libs["NON_ASCII"]),
        json_output=False,
    )
    assert text.code == 1, text.describe()
    line = next(
        line for line in text.stdout.splitlines() if line.startswith("FAIL  hex_encode")
    )
    assert line.split()[2] == "ascii-output", line
    assert "byte 0xc3 at offset 0" in line, line


def test_a_str_to_str_promise_is_fed_valid_utf8_text(
    fixture_libs: dict[str, Path],
) -> None:
    """The escaper copies 4-byte characters through: no input of the base corpus has
    one, so only the valid UTF-8 texts that ascii-output adds can show it."""
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["ASTRAL"]))
    assert run.code == 1, run.describe()
    assert run.failed() == {("ascii_escape", "ascii-output")}, run.describe()
    result = run.outcome("ascii_escape", "ascii-output")
    assert result["input"].startswith("ascii_escape(UTF-8 text: "), result
    assert "is not ASCII" in result["seen"], result
    assert "byte 0xf0 at offset" in result["seen"], result


def test_a_crash_on_the_size_query_is_reported_not_fatal(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["SEGV_QUERY"])
    )
    assert run.code == 1, run.describe()
    for function in OPS:
        result = run.outcome(function, "size-query")
        assert result["outcome"] == "fail"
        assert "SIGSEGV" in result["seen"], result
        assert result["input"].startswith(f"while calling {function}("), result
        assert "out_ptr NULL, out_cap 0" in result["input"], result
    # The checker lived on: the version function was checked as usual.
    assert run.outcome("version", "version-stable")["outcome"] == "pass"


def test_a_hang_is_cut_by_the_timeout(fixture_libs: dict[str, Path]) -> None:
    run = run_check(
        "--spec",
        str(FIXTURE_SPEC),
        "--lib",
        str(fixture_libs["HANG"]),
        "--timeout",
        "2",
    )
    assert run.code == 1, run.describe()
    # ascii-output feeds the large inputs too, so it hangs on them as well.
    hung = {("hex_encode", "robustness"), ("hex_encode", "ascii-output")}
    assert run.failed() == hung, run.describe()
    for _, rule in hung:
        result = run.outcome("hex_encode", rule)
        assert "no return within 2 s" in result["seen"], result
        assert "large input" in result["input"], result


def test_a_write_past_out_cap_names_the_byte(fixture_libs: dict[str, Path]) -> None:
    run = run_check(
        "--spec",
        str(FIXTURE_SPEC),
        "--lib",
        str(fixture_libs["OVERFLOW"]),
        json_output=False,
    )
    assert run.code == 1, run.describe()
    line = next(
        line for line in run.stdout.splitlines() if line.startswith("FAIL  hex_encode")
    )
    assert line.split()[2] == "no-overflow", line
    assert "wrote past out_cap" in line, line


def test_a_missing_symbol_skips_the_rest_of_its_rules(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["MISSING_SYMBOL"])
    )
    assert run.code == 1, run.describe()
    assert "fix_hex_decode" in run.outcome("hex_decode", "symbol")["seen"]
    others = [r for r in run.results() if r["function"] == "hex_decode"]
    assert {r["outcome"] for r in others if r["rule"] != "symbol"} == {"skip"}
    assert run.outcome("hex_encode", "size-query")["outcome"] == "pass"
