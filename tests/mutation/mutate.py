#!/usr/bin/env python3
"""A small mutation run (issue 19): which one-character changes to the hysteresis state machine
and the restart policy survive their unit tests?

Each mutant changes one operator in one line of a source file (>= to >, < to <=, == to !=, && to
||, + 1 to - 1, true to false, a ! dropped, ...), rebuilds the unit tests, and runs the tests that cover the
file. A mutant the tests fail on is "killed"; one they pass is a survivor: a change of behaviour
no test notices. The source file is restored after every mutant, and on any exit.

Usage: python3 tests/mutation/mutate.py [--build build] [--only check_state|restart_policy]
Takes about 40 s a mutant on 2 cores (one file recompiled, the unit tests relinked). docs/testing.md
has the last run's figures.
"""
import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# file -> the unit tests that cover it (a gtest filter)
TARGETS = {
    "check_state": ("src/hale/health/check_state.cpp",
                    "CheckState*:EngineOnSimulatedTime*:Aggregate*"),
    "restart_policy": ("src/hale/supervise/restart_policy.cpp",
                       "Spec/RestartTable*:RestartRun*:RestartReason*:ServiceBackoff*:Script*:RequireScript*:ServiceEdges*:OverBudget*"),
}

# One-token replacements. Binary operators are matched with the spaces clang-format puts around
# them, so template brackets (std::vector<T>) and -> are never touched.
OPERATORS = [
    (" >= ", " > "), (" > ", " >= "), (" <= ", " < "), (" < ", " <= "),
    (" == ", " != "), (" != ", " == "), (" && ", " || "), (" || ", " && "),
    (" + 1", " - 1"), (" - 1", " + 1"), ("true", "false"), ("false", "true"),
    ("++", "--"), ("!", ""),
]


def mutants(text):
    """(line number, description, mutated text) for every applicable replacement."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if not code.strip() or code.lstrip().startswith("#"):
            continue
        for old, new in OPERATORS:
            start = 0
            while True:
                at = code.find(old, start)
                if at < 0:
                    break
                start = at + len(old)
                if old in ("true", "false") and not re.match(r"\W", code[at + len(old):] or " "):
                    continue
                if old == "!" and code[at + 1:at + 2] == "=":
                    continue  # != is an operator of its own, mutated above
                changed = line[:at] + new + line[at + len(old):]
                out = lines[:]
                out[i] = changed
                yield i + 1, f"{old.strip()} -> {new.strip()}", line.strip(), "\n".join(out)


def run(cmd, timeout):
    try:
        return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                              text=True).returncode
    except subprocess.TimeoutExpired:
        return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=sorted(TARGETS))
    args = ap.parse_args()
    build = ROOT / args.build
    unit = build / "hale_unit_tests"
    results = []
    for name, (path, gtest_filter) in TARGETS.items():
        if args.only and name != args.only:
            continue
        src = ROOT / path
        original = src.read_text()
        backup = src.with_suffix(".cpp.orig")
        shutil.copyfile(src, backup)
        try:
            # The unmutated tests must pass, or every mutant would look killed.
            if run(["ninja", "-C", str(build), "hale_unit_tests"], 1800) != 0 or \
               run([str(unit), f"--gtest_filter={gtest_filter}"], 600) != 0:
                sys.exit(f"{name}: the tests fail without a mutant; fix that first")
            for line_no, what, line, text in mutants(original):
                src.write_text(text)
                started = time.monotonic()
                if run(["ninja", "-C", str(build), "hale_unit_tests"], 1800) != 0:
                    verdict = "does not compile"
                else:
                    verdict = "killed" if run([str(unit), f"--gtest_filter={gtest_filter}"], 600) != 0 else "SURVIVED"
                results.append((name, line_no, what, line, verdict))
                print(f"{name}:{line_no}: {what:9} {verdict:16} {time.monotonic() - started:5.0f}s  {line}", flush=True)
        finally:
            shutil.copyfile(backup, src)
            backup.unlink()
            # Rebuild the unmutated file, so the build dir is left as the source says.
            run(["ninja", "-C", str(build), "hale_unit_tests"], 1800)
    tested = [r for r in results if r[4] != "does not compile"]
    survived = [r for r in results if r[4] == "SURVIVED"]
    print(f"\n{len(results)} mutants, {len(tested)} compiled, {len(tested) - len(survived)} killed, "
          f"{len(survived)} survived")
    for name, line_no, what, line, _ in survived:
        print(f"  survivor {name}:{line_no}: {what}   {line}")


if __name__ == "__main__":
    main()
