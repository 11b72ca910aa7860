# lib.sh - sourced by the shell tests: a temporary directory removed on exit, pass/fail
# counters, expectations on exit status and output, and mpirun set up for root.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-test-XXXXXX")
trap 'rm -rf "$T"' EXIT
# a signal ends the script through exit, so the EXIT trap (here or a test's own) still cleans up
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok:   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
# Open MPI refuses root without these; CI and our machines run as root.
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# expect NAME EXIT PATTERN CMD...: exact exit status, and stdout+stderr match PATTERN (ERE)
expect() {
    local name=$1 code=$2 pat=$3; shift 3
    local o r; o=$("$@" 2>&1); r=$?
    if [ "$r" -eq "$code" ] && { [ -z "$pat" ] || grep -qE -- "$pat" <<<"$o"; }; then ok "$name"; else bad "$name (exit $r): $o"; fi
}
# expect_fail NAME PATTERN CMD...: any non-zero exit status, and the output matches
expect_fail() {
    local name=$1 pat=$2; shift 2
    local o r; o=$("$@" 2>&1); r=$?
    if [ "$r" -ne 0 ] && grep -qE -- "$pat" <<<"$o"; then ok "$name"; else bad "$name (exit $r): $o"; fi
}
# skip REASON: exit 77 (CTest: skipped), except in CI (CI=true), where every test must run
# and a skip is a failure
skip() {
    if [ "${CI:-}" = true ]; then echo "FAIL: would skip in CI, where every test must run: $*"; exit 1; fi
    echo "SKIPPED: $*"
    exit 77
}
# finish: the closing line CTest output is read for, and the exit status
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
