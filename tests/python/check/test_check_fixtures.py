"""``vix-ffi check`` on fixture libraries each breaking one rule (tests/fixtures/check).

Each broken build must be reported under the rule it breaks, with exit code 1, and only
under rules that the same bug breaks too (a wrong size query also makes the one-short
and exact-capacity calls disagree with it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from check_helpers import (
    FIXTURE_SPEC,
    TYPED_SPEC,
    ascii_promised,
    blocks_declared,
    run_check,
)

OPS = ("hex_encode", "hex_decode", "ascii_escape")
# The operations the fixture manifest promises ASCII output for ("ascii": true).
ASCII = ("hex_encode", "ascii_escape")
# The operations whose output size the fixture manifest declares ("output_blocks").
BLOCKS = {"hex_encode": {(1, 2)}, "hex_decode": {(2, 1)}}
SIZING = ("size-query", "one-short", "exact-capacity")


def text_failure(lib: Path, function: str) -> str:
    """The text report's FAIL line of ``function`` for the fixture manifest on ``lib``,
    which must fail the check (exit code 1)."""
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(lib), json_output=False)
    assert run.code == 1, run.describe()
    return next(
        line for line in run.stdout.splitlines() if line.startswith(f"FAIL  {function}")
    )


# bug: (failures that must be reported, other failures the same bug may cause)
EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {
    "OVERFLOW": ({("hex_encode", "no-overflow")}, set()),
    "QUERY_SIZE": (
        # output-blocks compares the size query with the declaration too.
        {(f, "size-query") for f in OPS} | {(f, "output-blocks") for f in BLOCKS},
        {(f, r) for f in OPS for r in SIZING},
    ),
    "RC": ({("hex_decode", "rc-status")}, set()),
    "NO_STATUS": ({("hex_decode", "status-written")}, set()),
    "NULL_OUT_LEN": ({(f, "null-args") for f in OPS}, set()),
    "NONDETERMINISTIC": (
        {("hex_encode", "deterministic")},
        # The call at the exact capacity and the generous one may differ as well.
        {("hex_encode", "threads"), ("hex_encode", "exact-capacity")},
    ),
    "BAD_UTF8": ({("hex_decode", "message-utf8")}, set()),
    "DANGLING_MESSAGE": (
        # Freed memory is poisoned, so the message read right after the call is not
        # UTF-8 either, and differs from thread to thread.
        {("hex_decode", "message-lifetime")},
        {("hex_decode", "message-utf8"), ("hex_decode", "threads")},
    ),
    "SHARED_BUFFER": ({("hex_encode", "threads")}, set()),
    "MISSING_SYMBOL": ({("hex_decode", "symbol")}, set()),
    "VERSION_EMPTY": ({("version", "version-nonempty")}, set()),
    "VERSION_UTF8": ({("version", "version-utf8")}, set()),
    "NON_ASCII": ({("hex_encode", "ascii-output")}, set()),
    "ASTRAL": ({("ascii_escape", "ascii-output")}, set()),
    "BLOCKS": ({("hex_decode", "output-blocks")}, set()),
    "READ_PAST": ({("hex_encode", "input-bounds")}, set()),
    "READ_BEFORE": ({("hex_encode", "input-bounds")}, set()),
    "ABORT_ON_NULL": ({("hex_encode", "allocation-failure")}, set()),
    "LEAK": ({("hex_encode", "leaks")}, set()),
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
    # output-blocks likewise, exactly where the manifest declares the output size, on
    # the 1 MiB inputs too.
    assert blocks_declared(FIXTURE_SPEC) == BLOCKS
    with_rule = {r["function"] for r in run.results() if r["rule"] == "output-blocks"}
    assert with_rule == set(BLOCKS), run.describe()
    for function, declared in BLOCKS.items():
        seen = run.outcome(function, "output-blocks")["seen"]
        ((a, b),) = declared
        assert f'"output_blocks": {{"in": {a}, "out": {b}}}' in seen, seen
        assert "2 of 1 MiB among them" in seen, seen
        assert not seen.startswith("0 successful"), seen
    rules = [r["rule"] for r in run.results() if r["function"] == "hex_encode"]
    assert rules[-2:] == ["ascii-output", "output-blocks"], rules


def test_an_output_size_off_the_declaration_names_the_input_and_both_sizes(
    fixture_libs: dict[str, Path],
) -> None:
    """BUG_BLOCKS: decode takes an odd number of digits and drops the last one. Its
    size query and out_len agree (the sizing rules pass), but the output is one byte
    short of the declared 1 * ceil(n / 2): only output-blocks can tell."""
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["BLOCKS"]))
    assert run.code == 1, run.describe()
    assert run.failed() == {("hex_decode", "output-blocks")}, run.describe()
    result = run.outcome("hex_decode", "output-blocks")
    # The first odd-length input that is all hex digits: "A", decoded to nothing.
    assert result["input"] == 'hex_decode(one byte 0x41 (1 byte: b"A"))', result
    assert result["seen"].startswith(
        "the size query (out_ptr NULL, out_cap 0) gave VIX_STATUS_OK, out_len 0; "
        "the call with out_cap 4100 succeeded and wrote 0 bytes (out_len 0)"
    ), result
    assert result["expected"] == (
        '1 byte = 1 * ceil(1 / 2), as "output_blocks": {"in": 2, "out": 1} of python.api '
        'entry "hex_decode" declares: the size query gives VIX_STATUS_BUFFER_TOO_SMALL, '
        "out_len 1, a successful call out_len 1"
    ), result
    assert run.outcome("hex_encode", "output-blocks")["outcome"] == "pass"

    line = text_failure(fixture_libs["BLOCKS"], "hex_decode")
    assert line.split()[2] == "output-blocks", line
    assert "one byte 0x41" in line and "out_len 0" in line, line


def test_a_size_query_off_the_declaration_is_named(
    fixture_libs: dict[str, Path],
) -> None:
    """BUG_QUERY_SIZE answers one byte too many: output-blocks names the query's
    answer, and not the written length, which is right."""
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["QUERY_SIZE"])
    )
    assert run.code == 1, run.describe()
    result = run.outcome("hex_encode", "output-blocks")
    assert result["outcome"] == "fail", result
    first = 'hex_encode(one byte 0x00 (1 byte: b"\\x00")'
    assert result["input"].startswith(first), result
    assert result["seen"].startswith(
        "the size query (out_ptr NULL, out_cap 0) gave VIX_STATUS_BUFFER_TOO_SMALL, "
        "out_len 3"
    ), result
    assert "succeeded and wrote" not in result["seen"], result
    assert result["expected"].startswith("2 bytes = 2 * ceil(1 / 1)"), result


def test_two_declarations_of_one_function_are_each_checked(
    tmp_path: Path, fixture_libs: dict[str, Path]
) -> None:
    """A second python.api entry calls hex_encode declaring {"in": 2, "out": 4}, which
    odd lengths break (1 byte -> 2, not 4): the rule fails on that entry's declaration
    alone, and the correct one of hex_encode raises nothing."""
    manifest = json.loads(FIXTURE_SPEC.read_text())
    manifest["python"]["api"].append(
        {
            "name": "hex_encode_pairs",
            "calls": "hex_encode",
            "kind": "bytes_to_bytes",
            "output_blocks": {"in": 2, "out": 4},
        }
    )
    spec = tmp_path / "bindings.json"
    spec.write_text(json.dumps(manifest, indent=2))
    run = run_check("--spec", str(spec), "--lib", str(fixture_libs["NONE"]))
    assert run.code == 1, run.describe()
    assert run.failed() == {("hex_encode", "output-blocks")}, run.describe()
    rules = [r["rule"] for r in run.results() if r["function"] == "hex_encode"]
    assert rules.count("output-blocks") == 1, rules
    result = run.outcome("hex_encode", "output-blocks")
    assert result["input"].startswith("hex_encode(one byte 0x00"), result
    assert result["expected"].startswith(
        '4 bytes = 4 * ceil(1 / 2), as "output_blocks": {"in": 2, "out": 4} of python.api '
        'entry "hex_encode_pairs" declares'
    ), result
    everything = "\n".join([result["expected"], result.get("detail") or ""])
    assert 'entry "hex_encode" declares' not in everything, result


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

    line = text_failure(fixture_libs["NON_ASCII"], "hex_encode")
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
    # ascii-output, output-blocks and input-bounds feed the large inputs too, so they
    # hang on them as well.
    hung = {
        ("hex_encode", "robustness"),
        ("hex_encode", "input-bounds"),
        ("hex_encode", "ascii-output"),
        ("hex_encode", "output-blocks"),
    }
    assert run.failed() == hung, run.describe()
    for _, rule in hung:
        result = run.outcome("hex_encode", rule)
        assert "no return within 2 s" in result["seen"], result
        assert "large input" in result["input"], result


def test_a_write_past_out_cap_names_the_byte(fixture_libs: dict[str, Path]) -> None:
    line = text_failure(fixture_libs["OVERFLOW"], "hex_encode")
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


@pytest.mark.parametrize(
    ("bug", "where"),
    [
        ("READ_PAST", "ending at an inaccessible page"),
        ("READ_BEFORE", "starting right after an inaccessible page"),
    ],
)
def test_a_read_outside_the_input_names_the_call_and_the_guarded_side(
    bug: str, where: str, fixture_libs: dict[str, Path]
) -> None:
    """BUG_READ_PAST reads in_ptr[in_len], BUG_READ_BEFORE in_ptr[-1]: each is caught by
    the guard page on its side, and only there (the other side's calls come first for
    READ_BEFORE and pass)."""
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs[bug]))
    result = run.outcome("hex_encode", "input-bounds")
    assert result["outcome"] == "fail", result
    assert result["input"].startswith("while calling hex_encode(one byte 0x00"), result
    assert where in result["input"], result
    assert "SIGSEGV" in result["seen"], result
    assert result["expected"].startswith("no byte read outside in_ptr[0..in_len]")


def test_a_message_in_freed_memory_names_the_freed_block(
    fixture_libs: dict[str, Path],
) -> None:
    """BUG_DANGLING_MESSAGE: decode's message points into a block it freed before
    returning. The shim remembers the blocks a call frees: said as such, not only as a
    message that changed (which depended on the allocator reusing the block)."""
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["DANGLING_MESSAGE"])
    )
    result = run.outcome("hex_decode", "message-lifetime")
    assert result["outcome"] == "fail", result
    assert result["seen"].startswith(
        "the message points into a block of 72 bytes that the function freed before "
        "returning"
    ), result
    assert "thread-local storage" in result["expected"], result


def test_a_leak_names_the_function_and_the_bytes_per_call(
    fixture_libs: dict[str, Path],
) -> None:
    """BUG_LEAK: encode leaves its scratch buffer (2 * n + 1 bytes) allocated on every
    call; the conformant build's decode keeps a 256-byte table from its first call on,
    which passes."""
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["LEAK"]))
    result = run.outcome("hex_encode", "leaks")
    assert result["outcome"] == "fail", result
    assert (
        result["input"]
        == "hex_encode(empty input, in_ptr NULL (0 bytes), out_cap 4096)"
    )
    assert result["seen"].startswith("hex_encode leaks 24 bytes per call"), result
    assert run.outcome("hex_decode", "leaks")["outcome"] == "pass"


def test_an_abort_on_a_failed_malloc_names_the_allocation(
    fixture_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["ABORT_ON_NULL"])
    )
    result = run.outcome("hex_encode", "allocation-failure")
    assert result["outcome"] == "fail", result
    assert "with allocation 1 of the 1 it makes failing" in result["input"], result
    assert "SIGABRT" in result["seen"], result
    assert result["expected"].startswith("an error status"), result
    # The conformant build answers VIX_STATUS_ERROR "out of memory" instead.
    ok = run_check("--spec", str(FIXTURE_SPEC), "--lib", str(fixture_libs["NONE"]))
    seen = ok.outcome("hex_encode", "allocation-failure")
    assert (
        seen["outcome"] == "pass"
        and "calls with one allocation failing" in seen["seen"]
    ), seen


def test_the_conformant_builds_survive_a_short_fuzz_run(
    fixture_libs: dict[str, Path], typed_libs: dict[str, Path]
) -> None:
    """--fuzz 1: every function of fixlib and of typedlib (whose scalar parameters are
    mutated too) fuzzes for its share of a second, and keeps the contract. (A run like
    this found typedlib's repeat() looping 2^32 times over an empty text.)"""
    for spec, lib in (
        (FIXTURE_SPEC, fixture_libs["NONE"]),
        (TYPED_SPEC, typed_libs["NONE"]),
    ):
        run = run_check("--spec", str(spec), "--lib", str(lib), "--fuzz", "1")
        assert run.failed() == set(), run.describe()
        fuzzed = [r for r in run.results() if r["rule"] == "fuzz"]
        assert fuzzed and all(r["outcome"] == "pass" for r in fuzzed), run.describe()
        for r in fuzzed:
            assert " mutated " in r["seen"] and "(seed 1)" in r["seen"], r
            assert not r["seen"].startswith("0 "), r


def test_fuzzing_finds_reduces_and_replays_a_crash_the_corpus_misses(
    fixture_libs: dict[str, Path],
) -> None:
    """BUG_FUZZ: decode aborts on 3-byte inputs starting with 0xff. The fixed corpus has
    none (the check without --fuzz passes); a short fuzz run finds one, reduces it (it
    cannot lose a byte), prints it and a replay command, and the replay fails the same
    way; the same seed finds the same input."""
    lib = str(fixture_libs["FUZZ"])
    plain = run_check("--spec", str(FIXTURE_SPEC), "--lib", lib)
    assert plain.code == 0, plain.describe()
    run = run_check("--spec", str(FIXTURE_SPEC), "--lib", lib, "--fuzz", "1")
    assert run.failed() == {("hex_decode", "fuzz")}, run.describe()
    result = run.outcome("hex_decode", "fuzz")
    assert "SIGABRT" in result["seen"], result
    assert "reduced to 3 bytes" in result["detail"], result
    replay = next(
        line.split("--replay ", 1)[1]
        for line in result["detail"].splitlines()
        if line.startswith("replay it: vix-ffi check ")
    )
    function, hex_input = replay.split("=")
    assert function == "hex_decode" and len(hex_input) == 6, replay
    assert hex_input.startswith("ff"), replay
    again = run_check("--spec", str(FIXTURE_SPEC), "--lib", lib, "--replay", replay)
    assert again.failed() == {("hex_decode", "fuzz")}, again.describe()
    assert "SIGABRT" in again.outcome("hex_decode", "fuzz")["seen"]
    same = run_check("--spec", str(FIXTURE_SPEC), "--lib", lib, "--fuzz", "1")
    assert same.outcome("hex_decode", "fuzz")["detail"] == result["detail"]
