#!/usr/bin/env bash
# Loads and preprocesses PhysioNet 2012 set A as the diagnosis task does (the archive read directly, the four
# literature labels, a stratified 70/15/15 split, hourly means over the first 48 hours, forward fill then the
# training median, indicators, hours since observed, [0, 1] scaling, static inputs) and prints the time taken,
# the records, variables and label prevalences; then the same for the built-in synthetic ICU set.
#
#   bench/physionet2012-load.sh [path/to/physionet2012]     (default: ../shared/data/physionet2012)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/physionet2012}"
if [ ! -f "$data/set-a.tar.gz" ] || [ ! -f "$data/Outcomes-a.txt" ]; then
    echo "set-a.tar.gz and Outcomes-a.txt not found in $data; pass their folder as the first argument." >&2
    exit 2
fi
dotnet build "$root/bench/SeqDsl.Bench" -c Release -nodeReuse:false -v quiet -nologo
bench() { dotnet "$root/bench/SeqDsl.Bench/bin/Release/net10.0/SeqDsl.Bench.dll" "$@"; }
echo "== PhysioNet 2012 set A"
bench episodes --stays "$data/set-a.tar.gz" --outcomes "$data/Outcomes-a.txt"
echo "== synthetic-icu (2,000 episodes of 12 hours to 3 weeks, first 14 days)"
bench episodes --source synthetic-icu --records 2000
