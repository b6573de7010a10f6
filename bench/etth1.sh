#!/usr/bin/env bash
# ETTh1 long-horizon benchmark (lookback 336, horizon 96, target OT; train/val/test = 12/4/4 months;
# normalized with the training rows). Trains every spec of examples/Ett on the real file and prints each
# model's validation and test MAE/MSE beside the repeat-last baseline; specs with several targets (the
# multivariate "M" setting: all 7 columns forecast, metrics averaged over horizon and columns) get a second table.
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
experiments="${ETT_EXPERIMENTS:-EttLinear EttNLinear EttDLinear EttMlp EttGru EttRevinGru EttRevinGruLong EttLinearM}"

dotnet build "$root/examples/Ett" -c Release -nodeReuse:false -v quiet -nologo
for experiment in $experiments; do
    echo "== $experiment"
    dotnet run --no-build -c Release --project "$root/examples/Ett" -- train -e "$experiment" --data "$data" --out "$out/$experiment" --seed 42 \
        | grep --line-buffered -vE '^Epoch [0-9]+/[0-9]+ +[━─]' || { echo "$experiment failed" >&2; exit 1; }
done

python3 - "$out" $experiments <<'PY'
import json, sys, os
out, names = sys.argv[1], sys.argv[2:]
metrics = {name: json.load(open(os.path.join(out, name, "metrics.json"))) for name in names}
# A spec with several targets writes each one's metrics under "channels": the multivariate (M) table.
single = [n for n in names if not metrics[n].get("channels")]
multi = [n for n in names if metrics[n].get("channels")]

def naive_row(m):
    return m["naive_val_mae"], m["naive_test_mae"], m.get("extra", {}).get("naive_test_mse", float("nan"))

if single:
    rows = [(n, metrics[n].get("best_val_mae"), metrics[n].get("best_val_mse"), metrics[n].get("test_mae"), metrics[n].get("test_mse"), metrics[n].get("best_epoch"), metrics[n].get("train_seconds")) for n in single]
    print()
    print("ETTh1, OT, lookback 336, horizon 96 (normalized units; test = rows 11520-14399)")
    print(f"{'model':<22}{'val MAE':>9}{'val MSE':>9}{'test MAE':>10}{'test MSE':>10}{'best epoch':>12}{'train s':>9}")
    for name, val, val_mse, mae, mse, epoch, secs in rows:
        print(f"{name:<22}{val:>9.4f}{val_mse:>9.4f}{mae:>10.4f}{mse:>10.4f}{epoch:>12}{secs:>9.1f}")
    nval, ntest, nmse = naive_row(metrics[single[0]])
    print(f"{'repeat-last':<22}{nval:>9.4f}{'':>9}{ntest:>10.4f}{nmse:>10.4f}")
    best = min(rows, key=lambda r: r[3])
    print(f"best on test: {best[0]} (MAE {best[3]:.4f}; published DLinear 0.180, NLinear 0.177, repeat-last 0.203)")

if multi:
    print()
    print("ETTh1, all 7 columns (M), lookback 336, horizon 96 (normalized units, averaged over horizon and columns)")
    print(f"{'model':<22}{'val MAE':>9}{'val MSE':>9}{'test MSE':>10}{'test MAE':>10}{'best epoch':>12}{'train s':>9}")
    for n in multi:
        m = metrics[n]
        print(f"{n:<22}{m['best_val_mae']:>9.4f}{m['best_val_mse']:>9.4f}{m['test_mse']:>10.4f}{m['test_mae']:>10.4f}{m['best_epoch']:>12}{m['train_seconds']:>9.1f}")
    nval, ntest, nmse = naive_row(metrics[multi[0]])
    print(f"{'repeat-last':<22}{nval:>9.4f}{'':>9}{nmse:>10.4f}{ntest:>10.4f}")
    best = min(multi, key=lambda n: metrics[n]["test_mse"])
    print(f"best on test: {best} (MSE {metrics[best]['test_mse']:.4f}, MAE {metrics[best]['test_mae']:.4f}; published DLinear 0.375/0.399, PatchTST 0.370/0.400)")
PY
