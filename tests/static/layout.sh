#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Keeps the tree's layout (src/README.md) true:
#  (a) the include graph: every `#include "..."` of src/ and include/hardrun/
#      goes along the room direction cli -> runtime -> linux | policy | launch
#      -> core (or stays in its room), and no two modules include each other,
#      directly or round a longer circle;
#  (b) no src/**/*.c is over 800 lines unless it is on the allow-list below.
# Usage: tests/static/layout.sh [TREE]   (TREE defaults to the checkout)
set -euo pipefail
tree=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 - "$tree" <<'PY'
import os, re, sys

tree = sys.argv[1]
MAX_LINES = 800
# Files allowed over MAX_LINES: each must be essentially one table.
ALLOW_LONG = {
    # (no table file is over the limit today)
}
# Open parts of issue #15, listed so that the check fails on every NEW case
# today; delete an entry when its split lands (the check then holds it).
KNOWN_LONG = {
}
KNOWN_CIRCLES = {
}
# The room that owns each public header in include/hardrun/ (one header per module).
HEADER_ROOM = {
    'compiler': 'core', 'error': 'core', 'log': 'core', 'strutil': 'core', 'spec': 'core',
    'state': 'core', 'mountinfo': 'core', 'scprof': 'core', 'sdunit': 'core',
    'policy': 'policy', 'harden': 'policy', 'audit': 'policy',
    'launch': 'launch',
    'apparmor': 'linux', 'caps': 'linux', 'cgroup': 'linux', 'exeseal': 'linux', 'fs': 'linux',
    'init': 'linux', 'seccomp': 'linux', 'seccomp_learn': 'linux', 'selinux': 'linux',
    'sync': 'linux', 'systemd': 'linux',
    'runtime': 'runtime',
}
# A room may include headers of its own room and of the rooms with a lower rank.
RANK = {'core': 0, 'linux': 1, 'policy': 1, 'launch': 1, 'runtime': 2, 'cli': 3}
fails = []
inc_re = re.compile(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]')

def rel(p):
    return os.path.relpath(p, tree)

files = []
for top in ('src', 'include/hardrun'):
    for d, _, names in os.walk(os.path.join(tree, top)):
        files += [os.path.join(d, n) for n in names if n.endswith(('.c', '.h'))]
for p in files:
    r = rel(p)
    if r.startswith('src/') and r.count('/') != 2:
        fails.append(f'{r}: a source file sits in a room, src/ROOM/FILE')
rooms = {rel(p).split('/')[1] for p in files if rel(p).startswith('src/')}
for room in rooms:
    if room not in RANK:
        fails.append(f'src/{room}: a room that src/README.md and this check do not know')
for h in os.listdir(os.path.join(tree, 'include/hardrun')):
    if h.endswith('.h') and h[:-2] not in HEADER_ROOM:
        fails.append(f'include/hardrun/{h}: no owning room in HEADER_ROOM')

def room_of(r):
    if r.startswith('include/hardrun/'):
        return HEADER_ROOM.get(os.path.basename(r)[:-2], '?')
    return r.split('/')[1]

def module_of(r, headers_in_room):
    """A module is a header and the .c files named after it (container_create.c -> container)."""
    stem = os.path.basename(r).rsplit('.', 1)[0]
    if stem.endswith('_int'):
        stem = stem[:-4]
    room = room_of(r)
    best = None
    for h in headers_in_room.get(room, ()):
        if stem == h or stem.startswith(h + '_'):
            if best is None or len(h) > len(best):
                best = h
    return f'{room}/{best or stem}'

headers_in_room = {}
for p in files:
    r = rel(p)
    if r.endswith('.h'):
        s = os.path.basename(r)[:-2]
        headers_in_room.setdefault(room_of(r), set()).add(s[:-4] if s.endswith('_int') else s)

edges = {}
for p in files:
    r = rel(p)
    me_room = room_of(r)
    me = module_of(r, headers_in_room)
    with open(p, encoding='utf-8', errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = inc_re.match(line)
            if not m:
                continue
            name = m.group(1)
            if name.startswith('hardrun/'):
                target = 'include/' + name
            elif '<' in line.split('include', 1)[1][:3]:
                continue  # a system header
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(r), name))
            if not os.path.exists(os.path.join(tree, target)):
                fails.append(f'{r}:{n}: includes `{name}`, which is not in the tree')
                continue
            t_room = room_of(target)
            if t_room != me_room and RANK.get(t_room, 9) >= RANK.get(me_room, -1):
                fails.append(f'{r}:{n}: {me_room} includes `{name}` of {t_room}, against the room '
                             'direction cli -> runtime -> linux|policy|launch -> core')
            if target.startswith('src/') and os.path.dirname(target) != os.path.dirname(r):
                fails.append(f'{r}:{n}: includes `{name}`, a header internal to another room')
            tm = module_of(target, headers_in_room)
            if tm != me:
                edges.setdefault(me, {}).setdefault(tm, f'{r}:{n}')

# circles in the module graph (Tarjan's strongly connected components)
index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            comps.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
for comp in comps:
    if tuple(comp) in KNOWN_CIRCLES:
        continue
    where = [f'{a} -> {b} ({edges[a][b]})' for a in comp for b in comp if b in edges.get(a, {})]
    fails.append('import circle between ' + ', '.join(comp) + ': ' + '; '.join(where))

for p in files:
    r = rel(p)
    if r.startswith('src/') and r.endswith('.c'):
        with open(p, encoding='utf-8', errors='replace') as f:
            n = sum(1 for _ in f)
        if n > MAX_LINES and r not in ALLOW_LONG and r not in KNOWN_LONG:
            fails.append(f'{r}: {n} lines, over {MAX_LINES}: split it by responsibility '
                         '(or, if it is one table, add it to ALLOW_LONG with the reason)')

for f in fails:
    print('layout: ' + f)
if fails:
    sys.exit(1)
print(f'layout: {len(files)} files, {sum(len(v) for v in edges.values())} module edges, no circle, '
      f'no file over {MAX_LINES} lines besides {len(KNOWN_LONG)} known ones and {len(KNOWN_CIRCLES)} known circle (issue #15)')
PY
