"""Module cycles in a `cargo modules dependencies` graph (DOT on stdin).

    cargo install cargo-modules
    cargo modules dependencies --package ormlet-core --lib --all-features \
        --no-externs --no-sysroot --no-owns | python3 .ci/module-cycles.py


Every "uses" edge between two items is lifted to the two sibling modules
that contain them under their lowest common ancestor; a parent and its own
child (re-exports, `super::` helpers) are not a cycle. Prints each strongly
connected set of sibling modules; exits 1 if there is one.
"""
import re, sys
from collections import defaultdict

dot = sys.stdin.read()
modules = set()
for name, kind in re.findall(r'^\s+"([^"]+)" \[label="([^|"]+)\|', dot, re.M):
    if kind.split()[-1] in ("mod", "crate"):
        modules.add(name)

def module_of(item):
    parts = item.split("::")
    for i in range(len(parts), 0, -1):
        p = "::".join(parts[:i])
        if p in modules:
            return p
    return parts[0]

graph = defaultdict(set)
for a, b in re.findall(r'^\s+"([^"]+)" -> "([^"]+)" \[label="uses"', dot, re.M):
    ma, mb = module_of(a).split("::"), module_of(b).split("::")
    n = 0
    while n < min(len(ma), len(mb)) and ma[n] == mb[n]:
        n += 1
    if n == len(ma) or n == len(mb):
        continue  # the same module, or a parent and its descendant
    graph["::".join(ma[: n + 1])].add("::".join(mb[: n + 1]))

index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop(); on.discard(w); scc.append(w)
            if w == v: break
        if len(scc) > 1: sccs.append(sorted(scc))
sys.setrecursionlimit(10000)
for v in list(graph):
    if v not in index:
        visit(v)
edges = sum(len(s) for s in graph.values())
print(f"{len(modules)} modules, {edges} module-to-module edges")
for scc in sccs:
    print("cycle:", " <-> ".join(scc))
    for v in scc:
        for w in sorted(graph[v] & set(scc)):
            print(f"  {v} -> {w}")
print("acyclic" if not sccs else f"{len(sccs)} cycle(s)")
sys.exit(1 if sccs else 0)
