#!/usr/bin/env bash
# Mutation testing: plants each small bug of tests/mutation/mutants.tsv, one at a time, in a
# clone of HEAD, builds the unit-test binary of the mutant's own layer and runs that layer's
# tests (the filter in the list), and reports which mutants the tests kill. A mutant that
# does not compile is reported as such and not counted. Not in CI (a rebuild per mutant).
#   scripts/mutation-test.sh [--area NAME]
# Prints one line per mutant ("killed" / "SURVIVED" / "stillborn"), a table per area, and as
# its last line `mutants: K killed of N`. Exit 0 when every mutant was killed.
# Environment: CHORUS_SHARED_DIR (../shared), CHORUS_JOBS (2), CHORUS_MUTATION_DIR (a temporary
# directory).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
area_only=""
if [ "${1:-}" = "--area" ] && [ $# -eq 2 ]; then area_only="$2"; elif [ $# -ne 0 ]; then
  echo "usage: scripts/mutation-test.sh [--area NAME]" >&2; exit 2
fi
shared="${CHORUS_SHARED_DIR:-$here/../shared}"
shared="$(cd "$shared" 2>/dev/null && pwd)" || { echo "mutation-test: ../shared is missing ($shared)" >&2; exit 2; }
work="${CHORUS_MUTATION_DIR:-$(mktemp -d)}"
tree="$work/tree"
rm -rf "$tree"
git clone -q "$here" "$tree" || { echo "mutation-test: cannot clone $here" >&2; exit 2; }
cmake -S "$tree" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHORUS_BUILD_BENCH=OFF \
      -DCHORUS_SHARED_DIR="$shared" > "$work/configure.log" 2>&1 || { tail -20 "$work/configure.log"; exit 2; }
echo "mutation-test: building the unmutated tests once"
ninja -C "$work/build" -j"${CHORUS_JOBS:-2}" chorus_module_tests chorus_scheduler_tests chorus_runtime_tests chorus_drivers_tests chorus_board_tests \
  > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 2; }

/usr/bin/python3 - "$tree" "$work" "${CHORUS_JOBS:-2}" "$area_only" "$tree/tests/mutation/mutants.tsv" <<'PY'
import collections, subprocess, sys
tree, work, jobs, area_only, listing = sys.argv[1:]
rows = []
for n, line in enumerate(open(listing), 1):
    if not line.strip() or line.startswith("#"):
        continue
    cols = line.rstrip("\n").split("\t")
    if len(cols) != 6:
        sys.exit(f"mutation-test: {listing}:{n}: expected 6 tab-separated columns")
    area, path, old, new, binary, filt = cols
    if area_only and area != area_only:
        continue
    rows.append((n, area, path, old.replace("\\n", "\n"), new.replace("\\n", "\n"), binary, filt))
result = collections.OrderedDict()
killed = total = 0
for n, area, path, old, new, binary, filt in rows:
    full = f"{tree}/{path}"
    text = open(full).read()
    if text.count(old) != 1:
        print(f"line {n}: {area}: {path}: the original occurs {text.count(old)} times (need once): fix the list")
        result.setdefault(area, [0, 0, 0])[2] += 1
        continue
    open(full, "w").write(text.replace(old, new))
    try:
        b = subprocess.run(["ninja", "-C", f"{work}/build", f"-j{jobs}", binary], capture_output=True, text=True)
        if b.returncode != 0:
            verdict = "stillborn (does not compile)"
            result.setdefault(area, [0, 0, 0])[2] += 1
        else:
            total += 1
            out = ""
            try:
                r = subprocess.run([f"{work}/build/tests/{binary}", f"--gtest_filter={filt}"], capture_output=True, text=True,
                                   timeout=120)
                dead, out = r.returncode != 0, r.stdout
                how = "a test failed" if dead else ""
            except subprocess.TimeoutExpired as e:
                # A later test hung; an assertion that failed before it still counts as the kill.
                dead, out = True, (e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or ""))
                how = "timed out (a hang, not a failing assertion)"
            fails = [l for l in out.splitlines() if l.startswith("[  FAILED  ]") and "." in l]
            first = fails[0].replace("[  FAILED  ] ", "") if dead and fails else ""
            if first:
                how = "a test failed"
            verdict = f"killed ({how}{': ' + first if first else ''})" if dead else "SURVIVED"
            result.setdefault(area, [0, 0, 0])
            if dead:
                killed += 1
                result[area][0] += 1
            else:
                result[area][1] += 1
        print(f"line {n}: {area}: {path}: {verdict}", flush=True)
    finally:
        open(full, "w").write(text)
print()
print(f"{'area':14s} {'killed':>7s} {'survived':>9s} {'stillborn':>10s}")
for area, (k, s, x) in result.items():
    print(f"{area:14s} {k:7d} {s:9d} {x:10d}")
print(f"mutants: {killed} killed of {total}")
sys.exit(0 if killed == total else 1)
PY
