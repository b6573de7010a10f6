#!/usr/bin/env bash
# PhysioNet Challenge 2012 set A: the diagnosis benchmark (Lipton et al. 2016's table on the literature's four labels:
# in-hospital death, length of stay under 3 days, surgical recovery, cardiac condition). Trains every spec of
# examples/Diagnosis (physionet_*.yaml) on set A with the same stratified 70/15/15 record split (seed 7) and training seed,
# then prints one row per model in the paper's columns (micro/macro AUROC, micro/macro F1, precision at 1) plus the
# death AUROC and AUPRC, beside the base rate and the gradient-boosted trees on summary features (the best spec's
# summary_baseline); and the ensembles of the best recurrent model with its other seeds (its sweep) and the trees.
#
#   bench/physionet2012.sh [path/to/physionet2012]     (default: ../shared/data/physionet2012 beside the repository)
#   DIAGNOSIS_EXPERIMENTS="…"  the experiments to run (default: all of the folder, in the order below)
#   DIAGNOSIS_FOLDS=5          k-fold cross-validation by record instead of the fixed split: mean ± std of the folds'
#                              test figures (results under artifacts/bench/physionet2012-cv)
#   DIAGNOSIS_SEEDS="1 2 3 4 5"  the fixed split once per training seed instead of once with the spec's seed: each
#                              figure's mean and range over the seeds (results under artifacts/bench/physionet2012-seeds);
#                              specs that ensemble with other experiments' runs are left out (their members are not
#                              trained per seed)
# External validation: where the folder also holds set-b.tar.gz with Outcomes-b.txt (or set C's), each model trained on
# set A is then scored whole on that set with `evaluate` (set A's preprocessing, thresholds and trees), one more table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/physionet2012}"
folds="${DIAGNOSIS_FOLDS:-}"
seeds="${DIAGNOSIS_SEEDS:-}"
if [ -n "$folds" ] && [ -n "$seeds" ]; then
    echo "DIAGNOSIS_FOLDS and DIAGNOSIS_SEEDS are two benches: set one of them." >&2
    exit 2
fi
out="$root/artifacts/bench/physionet2012${folds:+-cv}${seeds:+-seeds}"
if [ ! -f "$data/set-a.tar.gz" ] || [ ! -f "$data/Outcomes-a.txt" ]; then
    echo "set-a.tar.gz and Outcomes-a.txt not found in $data; pass their folder as the first argument." >&2
    exit 2
fi
experiments="${DIAGNOSIS_EXPERIMENTS:-PhysioNetLogisticSummary PhysioNetLogisticFirstLast PhysioNetMlpSummary PhysioNetMlpFirstLast PhysioNetLstm PhysioNetLstmDo PhysioNetLstmTr PhysioNetLstmDoTr PhysioNetLstmDoTrAo PhysioNetLstmMi PhysioNetLstmDoMi PhysioNetLstmTrMi PhysioNetLstmDoTrMi PhysioNetLstmDoTrAoMi PhysioNetGruD PhysioNetStaticBranch PhysioNetBest}"

dotnet build "$root/examples/Diagnosis" -c Release -nodeReuse:false -v quiet -nologo

if [ -n "$seeds" ]; then
    kept=""
    for experiment in $experiments; do
        spec=$(grep -l -x "model: $experiment" "$root"/examples/Diagnosis/*.yaml | head -n 1)
        if [ -n "$spec" ] && grep -q '^ *ensemble_with:' "$spec"; then
            echo "$experiment ensembles with other runs, which are not trained per seed: left out of the seeds bench."
            continue
        fi
        kept="$kept $experiment"
        for seed in $seeds; do
            echo "== $experiment, seed $seed"
            dotnet run --no-build -c Release --project "$root/examples/Diagnosis" -- train -e "$experiment" --seed "$seed" \
                --data "$data/set-a.tar.gz" --outcomes "$data/Outcomes-a.txt" --out "$out/seed-$seed/$experiment" > /dev/null \
                || { echo "$experiment (seed $seed) failed" >&2; exit 1; }
        done
    done
    python3 "$root/bench/diagnosis_table.py" --seeds "$seeds" "$out" $kept
    exit 0
fi

for experiment in $experiments; do
    # A spec with a sweep section (the best spec's seeds) is swept first on the fixed split: its ensembles read the
    # sweep folder as one member. Under cross-validation a sweep member is left out, so there is nothing to sweep.
    spec=$(grep -l -x "model: $experiment" "$root"/examples/Diagnosis/*.yaml | head -n 1)
    if [ -z "$folds" ] && [ -n "$spec" ] && grep -q '^sweep:' "$spec"; then
        echo "== $experiment sweep"
        dotnet run --no-build -c Release --project "$root/examples/Diagnosis" -- sweep -e "$experiment" --parallel 2 \
            --data "$data/set-a.tar.gz" --outcomes "$data/Outcomes-a.txt" --out "$out/$experiment-sweep" \
            || { echo "$experiment sweep failed" >&2; exit 1; }
        dotnet run --no-build -c Release --project "$root/examples/Diagnosis" -- report -e "$experiment" --out "$out/$experiment-sweep"
    fi
    echo "== $experiment"
    dotnet run --no-build -c Release --project "$root/examples/Diagnosis" -- train -e "$experiment" \
        --data "$data/set-a.tar.gz" --outcomes "$data/Outcomes-a.txt" --out "$out/$experiment" ${folds:+--folds "$folds"} \
        | grep --line-buffered -vE '^Epoch [0-9]+/[0-9]+ +[━─]' || { echo "$experiment failed" >&2; exit 1; }
done

python3 "$root/bench/diagnosis_table.py" ${folds:+--cv} "$out" $experiments

if [ -z "$folds" ]; then
    for set in b c; do
        [ -f "$data/set-$set.tar.gz" ] && [ -f "$data/Outcomes-$set.txt" ] || continue
        for experiment in $experiments; do
            echo "== $experiment on set $set"
            dotnet run --no-build -c Release --project "$root/examples/Diagnosis" -- evaluate -e "$experiment" \
                --out "$out/$experiment" --data "$data/set-$set.tar.gz" --outcomes "$data/Outcomes-$set.txt" > /dev/null \
                || { echo "$experiment: evaluate on set $set failed" >&2; exit 1; }
        done
        python3 "$root/bench/diagnosis_table.py" --evaluation "set-$set" "$out" $experiments
    done
fi
