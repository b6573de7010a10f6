#!/usr/bin/env bash
# ETTh1 long-horizon benchmark (lookback 336, horizon 96, target OT; train/val/test = 12/4/4 months;
# normalized with the training rows). Trains every spec of examples/Ett on the real file and prints each
# model's validation and test MAE/MSE beside the repeat-last baseline.
#
#   bench/etth1.sh [path/to/ETTh1.csv]      (default: ../shared/data/ETTh1.csv beside the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/ETTh1.csv}"
out="$root/artifacts/bench/etth1"
if [ ! -f "$data" ]; then
    echo "ETTh1.csv not found at $data; pass its path as the first argument." >&2
    exit 2
fi
experiments="${ETT_EXPERIMENTS:-EttLinear EttNLinear EttDLinear EttMlp EttGru EttRevinGru}"

dotnet build "$root/examples/Ett" -c Release -nodeReuse:false -v quiet -nologo
for experiment in $experiments; do
    echo "== $experiment"
    dotnet run --no-build -c Release --project "$root/examples/Ett" -- train -e "$experiment" --data "$data" --out "$out/$experiment" --seed 42 \
        | grep --line-buffered -vE '^Epoch [0-9]+/[0-9]+ +[━─]' || { echo "$experiment failed" >&2; exit 1; }
done

python3 - "$out" $experiments <<'PY'
import json, sys, os
out, names = sys.argv[1], sys.argv[2:]
rows = []
for name in names:
    m = json.load(open(os.path.join(out, name, "metrics.json")))
    rows.append((name, m.get("best_val_mae"), m.get("test_mae"), m.get("test_mse"), m.get("best_epoch"), m.get("train_seconds")))
naive = json.load(open(os.path.join(out, names[0], "metrics.json")))
print()
print("ETTh1, OT, lookback 336, horizon 96 (normalized units; test = rows 11520-14399)")
print(f"{'model':<22}{'val MAE':>9}{'test MAE':>10}{'test MSE':>10}{'best epoch':>12}{'train s':>9}")
for name, val, mae, mse, epoch, secs in rows:
    print(f"{name:<22}{val:>9.4f}{mae:>10.4f}{mse:>10.4f}{epoch:>12}{secs:>9.1f}")
print(f"{'repeat-last':<22}{naive['naive_val_mae']:>9.4f}{naive['naive_test_mae']:>10.4f}{naive.get('extra', {}).get('naive_test_mse', float('nan')):>10.4f}")
best = min(rows, key=lambda r: r[2])
print(f"best on test: {best[0]} (MAE {best[2]:.4f}; published DLinear 0.180, NLinear 0.177, repeat-last 0.203)")
PY
