#!/usr/bin/env bash
# Random exploration of the policy layer's properties (parsers of network bytes, options,
# retry decisions, the pager). The gate (`scripts/test.sh`) draws every case from one fixed
# seed, so it gives the same result on every run of a commit; this script is where new cases
# come from: each round takes a fresh seed from the OS and runs every property with many
# cases (release build) until the time limit.
#
# proptest saves each failure it finds under proptest-regressions/ (a `cc <seed>` line,
# commented with the shrunk input). Fix the bug, then commit the file: every later run, the
# gate included, replays those cases first.
#
# Usage: scripts/explore.sh [--minutes N] [--cases N]   (default 10 minutes, 200000 cases)
# Exit status: 0 if every round passed, 1 if one failed (new failures are saved), 2 for bad usage.
set -uo pipefail
cd "$(dirname "$0")/.."

minutes=10
cases=200000
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=${2:-}; shift 2 ;;
    --cases) cases=${2:-}; shift 2 ;;
    *) echo "usage: scripts/explore.sh [--minutes N] [--cases N]" >&2; exit 2 ;;
  esac
done
case "$minutes$cases" in
  *[!0-9]*|'') echo "--minutes and --cases take whole numbers" >&2; exit 2 ;;
esac

mkdir -p target/explore
# Build once, then run the test binary itself: `timeout` on `cargo test` would stop cargo
# but could leave the test process running.
binary=$(cargo test --release --lib --no-run 2>&1 | tee target/explore/build.log |
  sed -n 's/.*Executable unittests src\/lib.rs (\(.*\))$/\1/p' | tail -1)
if [ -z "$binary" ] || [ ! -x "$binary" ]; then
  cat target/explore/build.log; echo "explore: the release test build failed" >&2; exit 2
fi

# What the regression files hold now, to tell new failures from known ones.
known=$(cat proptest-regressions/policy/*.txt 2>/dev/null | grep '^cc ' | sort)

deadline=$((SECONDS + minutes * 60))
round=0
failed_rounds=0
seeds=()
while [ $SECONDS -lt $deadline ]; do
  round=$((round + 1))
  seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' \n')
  seeds+=("$seed")
  log=target/explore/round-$round.log
  echo "round $round: PROPTEST_RNG_SEED=$seed PROPTEST_CASES=$cases ($((deadline - SECONDS)) s left)"
  PROPTEST_RNG_SEED=$seed PROPTEST_CASES=$cases timeout $((deadline - SECONDS)) \
    "$binary" policy:: > "$log" 2>&1
  rc=$?
  if [ $rc -eq 124 ]; then echo "  time limit reached during the round"; break; fi
  if [ $rc -ne 0 ]; then
    failed_rounds=$((failed_rounds + 1))
    grep -E "^---- |minimal failing input" "$log" | sed 's/^/  /'
    echo "  (the full output: $log)"
    # Later rounds would replay the same failure first: fix it, then explore again.
    break
  fi
done

now=$(cat proptest-regressions/policy/*.txt 2>/dev/null | grep '^cc ' | sort)
new=$(comm -13 <(printf '%s\n' "$known") <(printf '%s\n' "$now") | sed '/^$/d')
if [ -n "$new" ]; then
  echo
  echo "explore: NEW FAILURES, saved as regression cases (commit these files once fixed):"
  git status --short -- proptest-regressions/ | sed 's/^/  /'
  printf '%s\n' "$new" | sed 's/^/  /'
  exit 1
fi
if [ $failed_rounds -gt 0 ]; then
  echo
  echo "explore: $failed_rounds round(s) failed on cases already saved in proptest-regressions/ (see the logs above)"
  exit 1
fi
echo
echo "explore: no new failure in $round round(s) of $cases cases per property (seeds: ${seeds[*]})"
exit 0
