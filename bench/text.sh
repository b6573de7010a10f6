#!/usr/bin/env bash
# Character-level LSTM on the lecture's corpus: trains examples/TextGeneration's CharLstm for full passes
# over the training windows (LSTM(128), batch 128, RMSprop lr 0.01, gradient norm clipped to 1), prints the
# training and validation loss per epoch and the time per epoch, then measures generation speed in
# window mode (the lecture's) and stateful mode.
#
#   bench/text.sh [path/to/nietzsche.txt] [epochs]     (default: ../shared/data/nietzsche.txt, 10 epochs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$root/../shared/data/nietzsche.txt}"
epochs="${2:-10}"
out="$root/artifacts/bench/text"
if [ ! -f "$corpus" ]; then
    echo "corpus not found at $corpus; pass its path as the first argument." >&2
    exit 2
fi
run() { dotnet run --no-build -c Release --project "$root/examples/TextGeneration" -- "$@"; }

dotnet build "$root/examples/TextGeneration" -c Release -nodeReuse:false -v quiet -nologo
# One epoch = one pass over the training windows: (chars - maxlen) / step / batch.
steps=$(python3 -c "import sys; n=len(open(sys.argv[1], 'rb').read()); t=n-int(n*0.05); print(max(1, ((t-60+2)//3)//128))" "$corpus")
echo "== training: $epochs epochs of $steps steps on $corpus"
run train --data "$corpus" --epochs "$epochs" --steps-per-epoch "$steps" --out "$out" | grep --line-buffered -vE '^Epoch [0-9]+/[0-9]+ +[━─]'

echo "== generation speed (400 characters after a 60-character prime text, temperature 0.5)"
prime="the philosopher is the one who must decide, and who has the "
run generate --data "$corpus" --checkpoint "$out/best.pt" --primetext "$prime" --length 400 --temperature 0.5 --mode window | tail -n 1
run generate --data "$corpus" --checkpoint "$out/best.pt" --primetext "$prime" --length 400 --temperature 0.5 --mode stateful | tail -n 1

python3 - "$out" <<'PY'
import csv, json, os, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(out, "history.csv"))))
print()
print(f"{'epoch':>5} {'loss':>8} {'val_loss':>9} {'seconds':>8}")
for r in rows:
    print(f"{r['epoch']:>5} {float(r['loss']):>8.4f} {float(r['val_loss'] or 'nan'):>9.4f} {float(r['seconds']):>8.1f}")
PY
