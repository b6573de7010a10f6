"""Prints the PhysioNet 2012 diagnosis table from the run folders' metrics.json files (written by the episodes runner)."""
import json
import os
import sys

args = sys.argv[1:]
cv = args[:1] == ["--cv"]
if cv:
    args = args[1:]
# --evaluation set-b: the rows `evaluate --data set-b.tar.gz` wrote (evaluation-set-b.json) instead of the runs' metrics.json.
evaluation = None
if args[:1] == ["--evaluation"]:
    evaluation, args = args[1], args[2:]
# --seeds "1 2 3": one run per training seed under <out>/seed-<s>/<experiment>; each figure's mean and range.
seeds = None
if args[:1] == ["--seeds"]:
    seeds, args = args[1].split(), args[2:]
out, names = args[0], args[1:]


def over_seeds():
    """The seeds table: each experiment's model row, test (and validation death AUROC), mean (min–max) over the seeds."""
    figures = [("macro AUC", lambda m: m["test"]["macro_auroc"]), ("micro AUC", lambda m: m["test"]["micro_auroc"]),
               ("death AUROC", lambda m: m["test"]["labels"][0]["auroc"]), ("death AUPRC", lambda m: m["test"]["labels"][0]["auprc"]),
               ("val. death AUROC", lambda m: m["validation"]["labels"][0]["auroc"])]
    header = f"{'model':<28}" + "".join(f"{name:>22}" for name, _ in figures)
    print()
    print(f"PhysioNet 2012 set A, test split (stratified 70/15/15 by record, split seed 7), training seeds {', '.join(seeds)}: mean (min–max) over the seeds")
    print(header)
    print("-" * len(header))
    for name in names:
        runs = []
        for seed in seeds:
            path = os.path.join(out, f"seed-{seed}", name, "metrics.json")
            if os.path.exists(path):
                runs.append(json.load(open(path))["model"])
            else:
                print(f"{name}: no metrics.json in {os.path.dirname(path)}", file=sys.stderr)
        if not runs:
            continue
        cells = []
        for _, pick in figures:
            values = [pick(m) for m in runs]
            cells.append("—" if any(v is None for v in values) else f"{sum(values) / len(values):.3f} ({min(values):.3f}–{max(values):.3f})")
        print(f"{name:<28}" + "".join(f"{c:>22}" for c in cells) + ("" if len(runs) == len(seeds) else f"  ({len(runs)} of {len(seeds)} seeds)"))


if seeds:
    over_seeds()
    sys.exit(0)


def cross_validation():
    """The k-fold table: each experiment's cross-validation.json, figures as mean ± std over the folds' test splits."""
    columns = ["micro_auroc", "macro_auroc", "micro_f1", "macro_f1", "first_label_auroc", "first_label_auprc"]
    header = f"{'model':<40}" + "".join(f"{c:>17}" for c in ["micro AUC", "macro AUC", "micro F1", "macro F1", "death AUROC", "death AUPRC"])
    rows = []
    # The base rate's AUROC is 0.5 by construction: the cross-validation table leaves it out.
    seen_baselines = {"base rate"}
    for name in names:
        path = os.path.join(out, name, "cross-validation.json")
        if not os.path.exists(path):
            print(f"{name}: no cross-validation.json in {os.path.dirname(path)}", file=sys.stderr)
            continue
        report = json.load(open(path))
        # The baselines' names, as the runner reports them in each fold's metrics.json.
        baseline_names = {b["name"] for b in json.load(open(os.path.join(out, name, "fold-1", "metrics.json"))).get("baselines", [])}
        for row in report["rows"]:
            label = name if row["name"] == "model" else f"  {row['name']}"
            # Another baseline (the trees) is the same for every experiment that reports it: its first row only.
            if row["name"] in seen_baselines:
                continue
            if row["name"] in baseline_names:
                seen_baselines.add(row["name"])
            cells = []
            for c in columns:
                s = row[c]
                cells.append("—" if s["mean"] is None else f"{s['mean']:.3f} ± {s['std']:.3f}" if s["std"] is not None else f"{s['mean']:.3f}")
            rows.append(f"{label:<40}" + "".join(f"{x:>17}" for x in cells))
        folds = report["folds"]
    print()
    print(f"PhysioNet 2012 set A, {folds}-fold cross-validation by record (stratified on death, split seed 7, training seed 42): mean ± std over the folds' test splits")
    print(header)
    print("-" * len(header))
    print("\n".join(rows))


if cv:
    cross_validation()
    sys.exit(0)


def fmt(value):
    return "—" if value is None else f"{value:.3f}"


rows = []
base = None
# Baselines beyond the base rate (summary_baseline), each printed once: the first experiment that reports it.
extra = {}
for name in names:
    file = f"evaluation-{evaluation}.json" if evaluation else "metrics.json"
    path = os.path.join(out, name, file)
    if not os.path.exists(path):
        print(f"{name}: no {file} in {os.path.dirname(path)}", file=sys.stderr)
        continue
    m = json.load(open(path))
    test = m["model"]["test"]
    first = test["labels"][0]
    # An evaluation trains nothing: its epoch is the checkpoint's, and it has no training time.
    rows.append((name, test, first, m.get("best_epoch"), m.get("epochs"), None if evaluation else m.get("train_seconds")))
    for ensemble in m.get("ensembles", []):
        if ensemble.get("test"):
            rows.append((f"  {ensemble['name']}", ensemble["test"], ensemble["test"]["labels"][0], None, None, None))
    base = base or next((b for b in m.get("baselines", []) if b["name"] == "base rate"), None)
    for b in m.get("baselines", []):
        if b["name"] != "base rate" and b.get("test"):
            extra.setdefault(b["name"], b)

first_label = rows[0][2]["name"] if rows else "first label"
header = f"{'model':<40}{'micro AUC':>10}{'macro AUC':>10}{'micro F1':>9}{'macro F1':>9}{'P@1':>7}{'death AUROC':>12}{'death AUPRC':>12}{'best ep.':>9}{'train s':>8}"
print()
where = (f"trained on PhysioNet 2012 set A (70/15/15 split, split seed 7, training seed 42), scored whole on {evaluation}" if evaluation
         else "PhysioNet 2012 set A, test split (stratified 70/15/15 by record, split seed 7, training seed 42)")
print(f"{where}; labels: " + ", ".join(l["name"] for l in rows[0][1]["labels"]) if rows else "no runs")
print(f"F1 at thresholds tuned on set A's validation split; P@1: the share of records whose highest-scored label is true; death = {first_label}")
print(header)
print("-" * len(header))
if base is not None:
    t = base["test"]
    print(f"{'base rate':<40}{fmt(t['micro_auroc']):>10}{fmt(t['macro_auroc']):>10}{fmt(t.get('micro_f1_tuned')):>9}{fmt(t.get('macro_f1_tuned')):>9}{'':>7}{fmt(t['labels'][0]['auroc']):>12}{fmt(t['labels'][0]['auprc']):>12}")
for b in extra.values():
    t = b["test"]
    print(f"{b['name']:<40}{fmt(t['micro_auroc']):>10}{fmt(t['macro_auroc']):>10}{fmt(t.get('micro_f1_tuned')):>9}{fmt(t.get('macro_f1_tuned')):>9}{fmt(t.get('precision_at_k')):>7}{fmt(t['labels'][0]['auroc']):>12}{fmt(t['labels'][0]['auprc']):>12}")
for name, t, first, epoch, epochs, seconds in rows:
    print(f"{name:<40}{fmt(t['micro_auroc']):>10}{fmt(t['macro_auroc']):>10}{fmt(t.get('micro_f1_tuned')):>9}{fmt(t.get('macro_f1_tuned')):>9}{fmt(t.get('precision_at_k')):>7}"
          f"{fmt(first['auroc']):>12}{fmt(first['auprc']):>12}{epoch or '':>9}{'' if seconds is None else f'{seconds:.0f}':>8}")
