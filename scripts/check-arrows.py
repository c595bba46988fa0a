#!/usr/bin/env python3
"""Every arrow points down: link lines match includes, and no include cycles.

For each product library (and the binary) this compares the kpulse targets
its files include (`#include "engine/collector.h"` is a use of the target
that owns userspace/engine/) with the kpulse targets its CMake link line
names, and fails on:
  - an include of another target that the link line does not name (the
    dependency is hidden: it builds only because something else links it);
  - a link to a target none of its files include (a dependency that is not
    there, like kpulse_core once linking the TUI);
  - a cycle between targets (some arrow points up), unless the edge is one of
    the EXCEPTIONS below, each with its reason;
  - a source folder no target owns (a new folder must say where it sits).

Usage: scripts/check-arrows.py [REPO_ROOT] [--graph]
  --graph prints the include graph (target -> targets it includes) and exits 0.
"""

import pathlib
import re
import sys

# Which files each target is built from: folders relative to the repo root,
# and single files (stem, any extension) claimed from a folder another
# target owns.
TARGETS = {
    "kpulse_model": ["userspace/model"],
    "kpulse_collect": ["userspace/collect"],
    "kpulse_trust": ["userspace/trust"],
    "kpulse_config": ["userspace/config"],
    "kpulse_probes": ["userspace/probes"],
    "kpulse_engine": ["userspace/engine"],
    "kpulse_profile": ["userspace/profile"],
    "kpulse_verify": ["userspace/verify"],
    "kpulse_analytics": ["analytics"],
    "kpulse_exporters": ["exporters"],
    "kpulse_export_names": ["exporters/tools"],
    "kpulse_record": ["userspace/record"],
    "kpulse_report": ["userspace/report"],
    "kpulse_tui": ["userspace/tui"],
    "kpulse_tune": ["userspace/tune"],
    "kpulse_dashboard": ["userspace/dashboard"],
    "kpulse_daemon": ["userspace/daemon"],
    "kpulse": ["userspace/cli"],
    "kpulse_cli_time": ["userspace/cli/time_arg"],
    "kpulse_test_support": ["tests/support"],
}

# Libraries made only of other libraries (no sources of their own).
AGGREGATES = {"kpulse_core"}

# Edges allowed to close a cycle, each with why it is still there.
EXCEPTIONS = {
    ("kpulse_probes", "kpulse_profile"):
        "the probe set starts the profiler's probe (profile/profile_probe.h), "
        "which loads through probes/; it joins probes/ with the probe-group interface",
}

# Folders whose sources must belong to some target.
SOURCE_ROOTS = ["userspace", "analytics", "exporters", "tests/support"]
SOURCE_SUFFIXES = {".c", ".cpp", ".h", ".hpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
LINK = re.compile(r"target_link_libraries\(\s*([\w-]+)([^)]*)\)", re.DOTALL)


def owner_of(root, path):
    """The target a repo-relative file belongs to (longest claim wins)."""
    rel = path.relative_to(root).as_posix()
    best, best_len = None, -1
    for target, claims in TARGETS.items():
        for claim in claims:
            folder_claim = rel.startswith(claim + "/")
            file_claim = rel.rsplit(".", 1)[0] == claim
            if (folder_claim or file_claim) and len(claim) > best_len:
                best, best_len = target, len(claim)
    return best


def resolve(root, include):
    """The repo file an include names (the build's include roots), or None."""
    for base in ("userspace", ""):
        candidate = root / base / include
        if candidate.is_file():
            return candidate
    return None


def source_files(root):
    for top in SOURCE_ROOTS:
        base = root / top
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                yield path


def include_graph(root):
    graph = {target: set() for target in TARGETS}
    unowned = set()
    for path in source_files(root):
        owner = owner_of(root, path)
        if owner is None:
            unowned.add(path.parent.relative_to(root).as_posix())
            continue
        for include in INCLUDE.findall(path.read_text(errors="replace")):
            found = resolve(root, include)
            used = owner_of(root, found) if found else None
            if used and used != owner:
                graph[owner].add(used)
    return graph, unowned


def link_lines(root):
    links = {}
    for cmake in root.rglob("CMakeLists.txt"):
        rel = cmake.relative_to(root).as_posix()
        if rel.startswith(("build", "tests/", "bench/")) and not rel.startswith("tests/support/"):
            continue
        for target, args in LINK.findall(cmake.read_text()):
            if target in TARGETS or target in AGGREGATES:
                # Generated protobuf libraries and outside packages are not checked.
                named = {a for a in args.split() if a in TARGETS or a in AGGREGATES}
                links.setdefault(target, set()).update(named)
    return links


def expand(links, names):
    """Aggregates stand for the libraries they link."""
    out = set()
    for name in names:
        out |= expand(links, links.get(name, set())) if name in AGGREGATES else {name}
    return out


def cycles(graph):
    """Strongly connected components with more than one target (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    root = pathlib.Path(args[0] if args else pathlib.Path(__file__).resolve().parent.parent)
    graph, unowned = include_graph(root)
    if "--graph" in argv:
        for target in sorted(graph):
            print(f"{target}: {' '.join(sorted(graph[target]))}")
        return 0
    links = link_lines(root)
    problems = [f"{folder}: sources no target owns (add it to TARGETS in {argv[0]})"
                for folder in sorted(unowned)]
    for target in sorted(TARGETS):
        if target not in links and not graph[target]:
            continue
        linked = expand(links, links.get(target, set())) - {target}
        allowed_extra = {b for (a, b) in EXCEPTIONS if a == target}
        for missing in sorted(graph[target] - linked):
            problems.append(f"{target} includes {missing} but does not link it")
        for extra in sorted(linked - graph[target] - allowed_extra):
            problems.append(f"{target} links {extra} but includes nothing of it")
    down = {t: {u for u in used if (t, u) not in EXCEPTIONS} for t, used in graph.items()}
    for component in cycles(down):
        problems.append("include cycle (an arrow points up): " + " <-> ".join(component))
    for (a, b), why in sorted(EXCEPTIONS.items()):
        if b not in graph.get(a, set()):
            print(f"note: exception {a} -> {b} is no longer needed; remove it ({why})")
    for problem in problems:
        print(problem)
    edges = sum(len(v) for v in graph.values())
    print(f"{len(TARGETS)} targets, {edges} include edges, {len(EXCEPTIONS)} exceptions, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
