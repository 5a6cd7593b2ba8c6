#!/usr/bin/env bash
# How far the analysis is from what the simulation needs: bisects the CPU clock twice with
# `chorus sim --clock-mhz` (the same level and slice search at each clock), once for the
# lowest clock the analysis accepts, once for the lowest clock at which the run has no miss
# (late, skipped or unfinished job), and prints both and their ratio.
# Usage: scripts/clock-search.sh BOARD.xml SCENARIO.xml [--npu on|off] [--policy edf|fp] [--duration S]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: scripts/clock-search.sh BOARD.xml SCENARIO.xml [chorus sim options]" >&2; exit 2; }
board="$1"; scenario="$2"; shift 2
chorus="$here/build/tools/chorus"
[ -x "$chorus" ] || CHORUS_TARGETS=chorus "$here/scripts/setup.sh" >/dev/null

# ok KHZ KEY: 0 when the run at KHZ kHz satisfies KEY (accepted | nomiss).
ok() {
  local khz="$1" key="$2" json
  shift 2
  json="$("$chorus" sim --board "$board" --scenario "$scenario" --clock-mhz "$(awk "BEGIN{printf \"%.3f\", $khz/1000}")" \
          --json --allow-misses "$@" 2>/dev/null)" || return 2
  case "$key" in
    accepted) [[ "$json" == *'"analysis_schedulable":true'* ]] ;;
    nomiss) [[ "$json" == *'"scratch_bytes":'*',"deadline_misses":0'* ]] ;;
  esac
}

# bisect KEY: the lowest clock in kHz (10 kHz steps, up to 4 GHz) satisfying KEY.
bisect() {
  local key="$1"; shift
  local lo=10 hi=4000000
  ok "$hi" "$key" "$@" || { echo 0; return; }
  while [ $((hi - lo)) -gt 10 ]; do
    local mid=$(((lo + hi) / 2))
    if ok "$mid" "$key" "$@"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}

accepted=$(bisect accepted "$@")
nomiss=$(bisect nomiss "$@")
awk -v a="$accepted" -v m="$nomiss" -v args="$*" 'BEGIN {
  printf "clock search %s: analysis accepts from %.2f MHz, the run has no miss from %.2f MHz: ratio %.3f\n",
         args, a / 1000, m / 1000, (m > 0 ? a / m : 0) }'
