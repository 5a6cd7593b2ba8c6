#!/usr/bin/env bash
# The schedulability analysis's adversary, run long: seeded random task sets until --sets
# of them are accepted, each simulated over its hyperperiod and at least --jobs jobs
# (default 10 000), every violation printed with its set. Exit 0: no violation; 3: some.
# Usage: scripts/soundness-search.sh [--sets N] [--first-seed S] [--jobs J] [--trace SEED]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHORUS_TARGETS=chorus_soundness_search "$here/scripts/setup.sh" >/dev/null
exec "$here/build/tools/chorus_soundness_search" "$@"
