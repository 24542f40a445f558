#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the #include graph of the product code for cycles between modules.

A module is a .c file together with its header of the same name. Module a
depends on module b when a.c or a.h includes b.h and b.c exists (a header
without a .c, such as a plain declarations file, is no module). Includes
are resolved as the compiler does with -I. -Iinclude: against the
including file's folder, then the source root, then include/.

Usage: include-cycles.py ROOT [DIR...]   (DIRs relative to ROOT; default:
the product folders). Prints every cycle's modules and one loop through
them; exits 1 when there is one, 0 when there is none.
"""
import os
import re
import sys

PRODUCT = ["daemon", "kms", "config", "cli", "lib", "qemu", "include"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root, dirs):
    for d in dirs:
        top = os.path.join(root, d)
        for here, _, names in os.walk(top):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(here, n), root)


def resolve(root, including, name):
    for base in (os.path.dirname(including), "", "include"):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def graph(root, dirs):
    files = list(sources(root, dirs))
    modules = {os.path.splitext(f)[0] for f in files if f.endswith(".c")}
    edges = {m: set() for m in modules}
    for f in files:
        src = os.path.splitext(f)[0]
        if src not in edges:
            continue
        with open(os.path.join(root, f), errors="replace") as fh:
            text = fh.read()
        for name in INCLUDE.findall(text):
            hdr = resolve(root, f, name)
            if hdr is None or not hdr.endswith(".h"):
                continue
            dst = os.path.splitext(hdr)[0]
            if dst in modules and dst != src:
                edges[src].add(dst)
    return edges


def components(edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def loop(edges, comp):
    """One cycle through comp's first module, by breadth-first search."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                path = [node]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    return comp


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = argv[1]
    dirs = argv[2:] or [d for d in PRODUCT if os.path.isdir(os.path.join(root, d))]
    edges = graph(root, dirs)
    comps = components(edges)
    for comp in comps:
        print("include cycle among %d modules: %s" % (len(comp), " ".join(comp)))
        print("  for example: " + " -> ".join(loop(edges, comp)))
    if comps:
        return 1
    print("no include cycle among %d modules in %s" % (len(edges), " ".join(dirs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
