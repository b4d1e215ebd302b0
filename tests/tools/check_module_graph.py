#!/usr/bin/env python3
"""The module graph of src/hale against docs/architecture.md (issue 14).

The "Modules" table of docs/architecture.md says, for every module, which other modules it may
include (its "knows about" column, module names in backticks). This check reads that table and
every #include "hale/<module>/..." under src/hale and include/hale, and fails when:
  - a file includes a module its own module's row does not name,
  - a module directory has no row (a new module is documented before it is used),
  - the rows themselves make a cycle (the arrows must go one way),
  - a public header (include/hale) includes a private one (src/hale/<module>/).

Modules: each directory under src/hale; `daemon` (src/hale/daemon.*); `vocabulary` (include/hale
and the other files directly under src/hale, which implement it). The vocabulary may be included
by everything and includes no module.

Usage: check_module_graph.py [SOURCE_DIR]   (exit 0 when the graph holds, 1 with one line a breach)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
SRC = ROOT / "src" / "hale"
PUBLIC = ROOT / "include" / "hale"
DOC = ROOT / "docs" / "architecture.md"

INCLUDE = re.compile(r'^\s*#\s*include\s+"hale/([a-z_0-9]+)/[^"]+"', re.M)


def module_of(path: pathlib.Path) -> str:
    rel = path.relative_to(SRC)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return "daemon" if rel.stem == "daemon" else "vocabulary"


def documented_rules(modules: set[str]) -> dict[str, set[str] | None]:
    """module -> the modules it may include (None: every one), from the Modules table."""
    text = DOC.read_text()
    section = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    rules: dict[str, set[str] | None] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        first, knows = cells[0], cells[-1]
        if "daemon" in first:
            name = "daemon"
        elif "include/hale" in first:
            name = "vocabulary"
        else:
            name = re.match(r"`([a-z_0-9]+)/`", first).group(1)
        named = set(re.findall(r"`([a-z_0-9]+)/?`", knows))
        if knows.startswith("everything"):
            rules[name] = None
        else:
            unknown = named - modules - {"vocabulary"}
            if unknown:
                sys.exit(f"{DOC}: the row of `{name}` names no module: {sorted(unknown)}")
            rules[name] = named
    return rules


def find_cycle(rules: dict[str, set[str] | None]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(rules.get(m) or ()):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(rules):
        if m not in state and (found := visit(m)):
            return found
    return None


def main() -> int:
    modules = {p.name for p in SRC.iterdir() if p.is_dir()}
    rules = documented_rules(modules)
    breaches = []
    for m in sorted(modules - rules.keys()):
        breaches.append(f"src/hale/{m}/ has no row in {DOC.name}'s Modules table")
    if (cycle := find_cycle(rules)):
        breaches.append(f"{DOC.name}: the modules include each other: {' -> '.join(cycle)}")
    for path in sorted(list(SRC.rglob("*.h")) + list(SRC.rglob("*.cpp"))):
        own = module_of(path)
        allowed = rules.get(own, set())
        for used in INCLUDE.findall(path.read_text(errors="replace")):
            if used == own or allowed is None:
                continue
            if used not in allowed:
                may = ", ".join(sorted(allowed)) or "no module"
                breaches.append(f"{path.relative_to(ROOT)} includes {used}/, "
                                f"but {own} may include only: {may} ({DOC.name})")
    for path in sorted(PUBLIC.glob("*.h")):
        for used in INCLUDE.findall(path.read_text()):
            breaches.append(f"{path.relative_to(ROOT)} is public and includes the private {used}/")
    for b in breaches:
        print(b)
    if not breaches:
        print(f"module graph holds: {len(rules)} modules, one-way, as {DOC.name} says")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
