#!/usr/bin/env bash
# Builds the solution and runs every test project. The last line is "N passed, N failed", counted from
# the TRX result files (dotnet test's own summary is per assembly).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build "$root/SeqDsl.sln" -nodeReuse:false; then
    echo "The build failed; no tests ran."
    echo "0 passed, 0 failed"
    exit 1
fi

dotnet test "$root/SeqDsl.sln" --no-build --logger trx --results-directory "$results" -- RunConfiguration.DisableParallelization=false
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "No test results were found in $results."
    status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
