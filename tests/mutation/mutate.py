#!/usr/bin/env python3
"""A small mutation run (issue 19): which one-character changes to the hysteresis state machine
and the restart policy survive their unit tests?

Each mutant changes one operator in one line of a source file (>= to >, < to <=, == to !=, && to
||, + 1 to - 1, true to false, a ! dropped, ...). The mutated file is compiled on its own (with the
build's own command), linked ahead of libhale.a with only the unit tests that cover it (the
archive's copy of the file is then never pulled in), and those tests run. A mutant they fail on is
"killed"; one they pass is a survivor: a change of behaviour no test notices. Nothing in the
source tree or the build directory is changed.

Usage: python3 tests/mutation/mutate.py [--build build] [--only check_state|restart_policy]
Needs a built build directory (scripts/build.sh). About 10 s a mutant on 2 cores; docs/testing.md
has the last run's figures.
"""
import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# file -> the unit test files that cover it, and the tests of theirs to run (a gtest filter)
TARGETS = {
    "check_state": ("src/hale/health/check_state.cpp",
                    ["unit/health/check_state_test.cpp", "unit/health/engine_time_test.cpp"], "*"),
    "restart_policy": ("src/hale/supervise/restart_policy.cpp",
                       ["unit/supervise/restart_policy_test.cpp", "unit/supervise/service_machine_test.cpp"], "*"),
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


def run(cmd, timeout, cwd):
    try:
        return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                              text=True).returncode
    except subprocess.TimeoutExpired:
        return -1


def compile_command(build, source, out):
    """The build's own command for `source`, writing `out` (ccache left out: every mutant is new)."""
    for entry in json.loads((build / "compile_commands.json").read_text()):
        if entry["file"] == str(ROOT / source):
            args = shlex.split(entry["command"])
            args = args[args.index("/usr/bin/ccache") + 1:] if "/usr/bin/ccache" in args else args
            args[args.index("-o") + 1] = str(out)
            return args, entry["directory"]
    sys.exit(f"{source} is not in {build}/compile_commands.json")


def link_command(build, test_files, mutant_object, out):
    """hale_unit_tests' link line with only `test_files`' objects, and `mutant_object` first."""
    lines = subprocess.run(["ninja", "-C", str(build), "-t", "commands", "hale_unit_tests"], stdout=subprocess.PIPE,
                           text=True, check=True).stdout.strip().split("\n")
    link = lines[-1].split("&&")[1].strip()
    args = shlex.split(link)
    kept = []
    for a in args:
        if "hale_unit_tests.dir/unit/" in a and a.endswith(".o"):
            if any(a.endswith(t + ".o") for t in test_files):
                kept.append(a)
            continue
        kept.append(a)
    kept[kept.index("-o") + 1] = str(out)
    at = kept.index("-o")
    return kept[:at] + [str(mutant_object)] + kept[at:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=sorted(TARGETS))
    args = ap.parse_args()
    build = (ROOT / args.build).resolve()
    work = Path(tempfile.mkdtemp(prefix="hale-mutants."))
    results = []
    for name, (path, test_files, gtest_filter) in TARGETS.items():
        if args.only and name != args.only:
            continue
        original = (ROOT / path).read_text()
        mutated_source = work / Path(path).name
        obj, exe = work / "mutant.o", work / f"{name}_tests"
        compile_args, compile_dir = compile_command(build, path, obj)
        compile_args[-1] = str(mutated_source)  # the source is the command's last argument
        link_args = link_command(build, test_files, obj, exe)

        def verdict(text):
            mutated_source.write_text(text)
            if run(compile_args + ["-I", str(ROOT / Path(path).parent)], 600, compile_dir) != 0 or \
               run(link_args, 600, build) != 0:
                return "does not compile"
            return "killed" if run([str(exe), f"--gtest_filter={gtest_filter}"], 300, build) != 0 else "SURVIVED"

        # The unmutated file must pass, or every mutant would look killed.
        if verdict(original) != "SURVIVED":
            sys.exit(f"{name}: the tests fail (or do not build) without a mutant; fix that first")
        for line_no, what, line, text in mutants(original):
            started = time.monotonic()
            v = verdict(text)
            results.append((name, line_no, what, line, v))
            print(f"{name}:{line_no}: {what:9} {v:16} {time.monotonic() - started:5.1f}s  {line}", flush=True)
    tested = [r for r in results if r[4] != "does not compile"]
    survived = [r for r in results if r[4] == "SURVIVED"]
    print(f"\n{len(results)} mutants, {len(tested)} compiled, {len(tested) - len(survived)} killed, "
          f"{len(survived)} survived")
    for name, line_no, what, line, _ in survived:
        print(f"  survivor {name}:{line_no}: {what}   {line}")


if __name__ == "__main__":
    main()
