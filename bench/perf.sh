#!/usr/bin/env bash
# SeqDsl performance benchmark. One run measures, then prints a table and one `RATIO name=value` line per figure:
#
#   1. training step time (ms) of models generated from the specs beside the same models hand-written in
#      PyTorch (Debian's python3-torch, OpenBLAS), in alternating rounds [SeqDsl, PyTorch]; SeqDsl's
#      loop-path GRU (recurrent dropout) against its fused GRU of the same size; and the diagnosis model
#      (LSTM-DO-TR: padded episodes, length-aware LSTMs, target replication, Adam) built from runtime layers
#   2. batch assembly: SeqDsl's WindowGenerator against the lecture's numpy generator (batches/s)
#   3. text generation: stateful against window mode (chars/s)
#   4. the source generator in-process (first run, incremental rerun after editing one spec) and, optionally,
#      `dotnet build` of a copy of examples/Weather (no-op, one yaml edited)
#   5. memory: VmRSS of GRU(32) training after step 100 and after step 2,000
#
#   bench/perf.sh                 full run (about 10-20 minutes on 2 cores; run it on an otherwise idle machine)
#   PERF_QUICK=1 bench/perf.sh    smoke run (a few steps of everything: about a minute after the build)
#
# With another job on the cores, both sides' OpenMP threads stall at every barrier and step times swing by 10x
# or more; PERF_THREADS=1 keeps such a run usable (the figures are then single-threaded).
# Settings (environment):  PERF_THREADS (default: nproc; SeqDsl and PyTorch get the same), PERF_ROUNDS (3),
#   PERF_WARMUP (3), PERF_STEPS (15), PERF_MODELS ("gru32 gru32_dropout stacked_gru bigru32 conv1d_gru480
#   char_lstm lstm_do_tr"), PERF_BATCHES (200), PERF_WINDOW_CHARS (400), PERF_STATEFUL_CHARS (2000), PERF_MEM_STEPS (2000),
#   PERF_MEM_AT (100), PERF_DOTNET_BUILD (1; 0 skips the dotnet build timing), PERF_SKIP_INSTALL (0),
#   PERF_ONLY (comma list of sections: info,train,windows,generate,specgen,build,memory).
# Missing Debian packages (python3-torch, python3-numpy, libopenblas0-pthread) are installed with apt-get, and
# OpenBLAS is made the active libblas.so.3 alternative; both are announced. Results: artifacts/bench/perf/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/artifacts/bench/perf"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
python=/usr/bin/python3

quick="${PERF_QUICK:-0}"
if [ "$quick" = "1" ]; then
    d_rounds=1 d_warmup=1 d_steps=3 d_batches=20 d_win_warmup=10 d_wchars=40 d_schars=200 d_mem=40 d_mem_at=10 d_repeat=3 d_build=0
else
    d_rounds=3 d_warmup=3 d_steps=15 d_batches=200 d_win_warmup=50 d_wchars=400 d_schars=2000 d_mem=2000 d_mem_at=100 d_repeat=5 d_build=1
fi
cores="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)"
threads="${PERF_THREADS:-$cores}"
rounds="${PERF_ROUNDS:-$d_rounds}"
warmup="${PERF_WARMUP:-$d_warmup}"
steps="${PERF_STEPS:-$d_steps}"
models="${PERF_MODELS:-gru32 gru32_dropout stacked_gru bigru32 conv1d_gru480 char_lstm lstm_do_tr}"
batches="${PERF_BATCHES:-$d_batches}"
window_chars="${PERF_WINDOW_CHARS:-$d_wchars}"
stateful_chars="${PERF_STATEFUL_CHARS:-$d_schars}"
mem_steps="${PERF_MEM_STEPS:-$d_mem}"
mem_at="${PERF_MEM_AT:-$d_mem_at}"
dotnet_build="${PERF_DOTNET_BUILD:-$d_build}"
only="${PERF_ONLY:-info,train,windows,generate,specgen,build,memory}"
section() { [[ ",$only," == *",$1,"* ]]; }
failures=0

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "perf: need root (or sudo) for: $*" >&2; return 1; fi
}

# ---- packages -------------------------------------------------------------------------------------------
if [ "${PERF_SKIP_INSTALL:-0}" != "1" ]; then
    missing=()
    for package in python3-torch python3-numpy libopenblas0-pthread; do
        dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "perf: installing ${missing[*]} with apt-get install -y --no-install-recommends"
        if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
            echo "perf: apt-get install failed; running apt-get update and trying again"
            as_root apt-get update
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
        fi
    else
        echo "perf: python3-torch, python3-numpy and libopenblas0-pthread are installed"
    fi
    blas_alt=libblas.so.3-x86_64-linux-gnu
    current="$(update-alternatives --query "$blas_alt" 2>/dev/null | sed -n 's/^Value: //p')"
    if [[ "$current" != *openblas* ]]; then
        openblas="$(update-alternatives --query "$blas_alt" | sed -n 's/^Alternative: \(.*openblas.*\)$/\1/p' | head -n 1)"
        if [ -z "$openblas" ]; then
            echo "perf: no OpenBLAS alternative for $blas_alt; PyTorch will run on ${current:-the reference BLAS}" >&2
        else
            echo "perf: selecting OpenBLAS as libblas.so.3 (update-alternatives --set $blas_alt $openblas; was ${current:-none})"
            as_root update-alternatives --set "$blas_alt" "$openblas"
        fi
    fi
fi
blas_active="$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
lapack_active="$(update-alternatives --query liblapack.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
echo "perf: libblas.so.3 -> ${blas_active:-?}; liblapack.so.3 -> ${lapack_active:-?}"

# ---- build ----------------------------------------------------------------------------------------------
echo "perf: building bench/SeqDsl.Bench (Release)"
dotnet build "$root/bench/SeqDsl.Bench" -c Release -nodeReuse:false -v quiet -nologo
bench=(dotnet "$root/bench/SeqDsl.Bench/bin/Release/net10.0/SeqDsl.Bench.dll")
# The same thread settings for both sides; OpenBLAS's own pool is sized like torch's.
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"

# Runs a benchmark command: prints its readable lines, appends its RESULT lines to results.jsonl.
collect() {
    local output status=0
    output="$("$@" 2>&1)" || status=$?
    grep -v '^RESULT ' <<<"$output" || true
    grep '^RESULT ' <<<"$output" | sed 's/^RESULT //' >>"$results" || true
    if [ "$status" -ne 0 ]; then
        echo "perf: FAILED (exit $status): $*" >&2
        failures=$((failures + 1))
    fi
}

load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "perf: $cores cores, load average $load before the run; $threads threads; $([ "$quick" = 1 ] && echo 'QUICK (smoke) mode' || echo 'full mode')"
if awk -v l="${load%% *}" 'BEGIN { exit !(l >= 0.7) }'; then
    echo "perf: note: the machine is busy (load $load); with every core used by both, OpenMP barriers stall and times swing widely" >&2
fi
start_seconds=$SECONDS

if section info; then
    echo "== versions, CPU, BLAS, threads"
    # oneDNN names the instruction set it dispatches to in its verbose log, printed while `info` runs an LSTM.
    onednn_isa="$(ONEDNN_VERBOSE=1 "${bench[@]}" info --threads 1 2>&1 | sed -n 's/^onednn_verbose,[^,]*,info,cpu,isa://p' | head -n 1)"
    collect "${bench[@]}" info --threads "$threads" --onednn-isa "${onednn_isa:-?}"
    collect "$python" "$root/bench/torch_bench.py" info --threads "$threads"
fi

if section train; then
    echo "== 1. training step, $rounds round(s) of [SeqDsl, PyTorch] per model, $warmup warm-up + $steps timed steps, $threads threads"
    for round in $(seq 1 "$rounds"); do
        for model in $models; do
            collect "${bench[@]}" step --model "$model" --warmup "$warmup" --steps "$steps" --threads "$threads" --round "$round"
            collect "$python" "$root/bench/torch_bench.py" step --model "$model" --warmup "$warmup" --steps "$steps" --threads "$threads" --round "$round"
        done
    done
fi

if section windows; then
    echo "== 2. batch assembly, $rounds round(s) of [SeqDsl, numpy], $batches batches after $d_win_warmup warm-up"
    for round in $(seq 1 "$rounds"); do
        collect "${bench[@]}" windows --batches "$batches" --warmup "$d_win_warmup" --threads "$threads" --round "$round"
        collect "$python" "$root/bench/numpy_generator.py" --batches "$batches" --warmup "$d_win_warmup" --round "$round"
    done
fi

if section generate; then
    echo "== 3. text generation"
    collect "${bench[@]}" generate --window-chars "$window_chars" --stateful-chars "$stateful_chars" --threads "$threads" --rounds "$rounds"
fi

if section specgen; then
    echo "== 4. source generator (in-process CSharpGeneratorDriver over examples/**/*.yaml)"
    collect "${bench[@]}" specgen --repeat "$d_repeat" --root "$root"
fi

if section build && [ "$dotnet_build" = "1" ]; then
    echo "== 4b. dotnet build of a copy of examples/Weather (no-op, then weather_gru.yaml edited)"
    copy="$(mktemp -d "${TMPDIR:-/tmp}/seqdsl-perf-build.XXXXXX")"
    mkdir -p "$copy/Weather"
    cp "$root/examples/Weather/Weather.csproj" "$root/examples/Weather/Program.cs" "$root"/examples/Weather/*.yaml "$copy/Weather/"
    printf '<Project>\n  <Import Project="%s/examples/Directory.Build.props" />\n</Project>\n' "$root" >"$copy/Directory.Build.props"
    printf '<Project>\n  <Import Project="%s/examples/Directory.Build.targets" />\n</Project>\n' "$root" >"$copy/Directory.Build.targets"
    # EmitCompilerGeneratedFiles lets the script check that the edit reached the generated model.
    build_copy() { dotnet build "$copy/Weather" -c Release -nodeReuse:false -v quiet -nologo -p:EmitCompilerGeneratedFiles=true >>"$out/build.log" 2>&1; }
    : >"$out/build.log"
    t0=$(date +%s.%N); build_ok=1
    build_copy || build_ok=0
    t1=$(date +%s.%N)
    build_copy || build_ok=0
    t2=$(date +%s.%N)
    sed -i '0,/units: 32/s//units: 48/' "$copy/Weather/weather_gru.yaml"
    build_copy || build_ok=0
    t3=$(date +%s.%N)
    if ! grep -rqs 'RecurrentOptions(48)' "$copy/Weather/obj/Release"; then
        echo "perf: the edited weather_gru.yaml (units: 48) did not reach the generated WeatherGruModel" >&2
        build_ok=0
    fi
    if [ "$build_ok" = 1 ]; then
        python3_inline="import json,sys; a=list(map(float,sys.argv[1:])); print(json.dumps({'kind':'dotnet_build','first_s':a[1]-a[0],'noop_s':a[2]-a[1],'edit_s':a[3]-a[2]}))"
        line="$("$python" -c "$python3_inline" "$t0" "$t1" "$t2" "$t3")"
        echo "$line" >>"$results"
        "$python" -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"dotnet build (copy of examples/Weather, Release): first {r['first_s']:.1f} s, no-op {r['noop_s']:.1f} s, after editing weather_gru.yaml {r['edit_s']:.1f} s\")" "$line"
    else
        echo "perf: FAILED: dotnet build of the examples/Weather copy (see $out/build.log)" >&2
        failures=$((failures + 1))
    fi
    rm -rf "$copy"
fi

if section memory; then
    echo "== 5. memory: GRU(32) training, VmRSS after step $mem_at and after step $mem_steps"
    collect "${bench[@]}" memory --steps "$mem_steps" --at "$mem_at" --threads "$threads"
fi

echo "perf: measured in $((SECONDS - start_seconds)) s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---- report ---------------------------------------------------------------------------------------------
"$python" - "$results" "$threads" "$rounds" "$warmup" "$steps" "${blas_active:-?}" <<'PY'
import json, statistics, sys

path, threads, rounds, warmup, steps, blas = sys.argv[1:7]
rows = [json.loads(line) for line in open(path) if line.strip()]
def of(kind, **match):
    return [r for r in rows if r.get("kind") == kind and all(r.get(k) == v for k, v in match.items())]
med = statistics.median
ratios = []
def ratio(name, value, fmt="{:.2f}"):
    if value is not None and value == value:
        ratios.append(f"RATIO {name}={fmt.format(value)}")
def rng(values, fmt="{:.1f}"):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}" if len(values) > 1 else "-"
def verdict(ok):
    return "meets target" if ok else "MISSES target"

info = of("info")
print("=" * 100)
print(f"SeqDsl performance ({threads} threads; denormals flushed on both sides)")
for i in of("info_seqdsl"):
    print(f"SeqDsl: TorchSharp {i['torchsharp']}, libtorch {i['libtorch']} (MKL: {i['mkl']}, oneDNN: {i['mkldnn']}, OpenMP: {i['openmp']})")
    print(f"CPU: {i.get('cpu', '?')}; vector extensions: {' '.join(i.get('vector_extensions', [])) or '?'}")
    print(f"  {i.get('mkl_dispatch', 'MKL: ?')}; oneDNN ISA: {i.get('onednn_isa') or '?'}")
    print(f"  {i.get('recurrent_kernels', '')}")
if info:
    i = info[0]
    print(f"PyTorch {i['torch']} (Debian python3-torch, python {i['python']}, numpy {i['numpy']}); libblas.so.3 alternative: {blas}")
    print(f"  PyTorch build: {'; '.join(i['blas_config']) or '?'}; BLAS mapped in the process: {', '.join(i['blas_loaded']) or 'none'}")
print("=" * 100)

labels = {
    "gru32": "GRU(32) 128x240x14 (fused)",
    "gru32_dropout": "GRU(32) dropout+rec. dropout 0.2 (loop)",
    "stacked_gru": "GRU 32 -> GRU 64 relu (loops)",
    "bigru32": "bidirectional GRU(32)",
    "conv1d_gru480": "Conv1D+GRU 128x480x14",
    "char_lstm": "char LSTM(128) 128x60x57",
    "lstm_do_tr": "LSTM-DO-TR 2xLSTM(128) 32x48x78 padded",
}
order = [m for m in labels if of("step", model=m)]
seq_median, step_ratio = {}, {}
if order:
    print(f"\n1. Training step, ms (forward+loss+backward+optimizer step: RMSprop, Adam for LSTM-DO-TR): median of {rounds} per-round medians "
          f"({warmup} warm-up + {steps} timed steps each), range = min-max of the round medians")
    print(f"{'model':<42}{'SeqDsl':>9}{'range':>15}{'PyTorch':>10}{'range':>15}{'ratio':>7}{'range':>12}")
    for m in order:
        s = {r["round"]: r["median_ms"] for r in of("step", model=m, impl="seqdsl")}
        p = {r["round"]: r["median_ms"] for r in of("step", model=m, impl="pytorch")}
        sm = med(s.values()) if s else float("nan")
        pm = med(p.values()) if p else float("nan")
        per_round = [s[k] / p[k] for k in s if k in p]
        r = sm / pm if s and p else float("nan")
        seq_median[m] = sm
        step_ratio[m] = r
        print(f"{labels[m]:<42}{sm:>9.1f}{rng(list(s.values())) if s else '-':>15}{pm:>10.1f}{rng(list(p.values())) if p else '-':>15}"
              f"{r:>7.2f}{rng(per_round, '{:.2f}'):>12}")
        # The diagnosis model's figure has a target of its own, printed below under its own name.
        if m != "lstm_do_tr":
            ratio(f"{m}_step_vs_pytorch", r)
    if "gru32" in seq_median and "gru32_dropout" in seq_median:
        lf = seq_median["gru32_dropout"] / seq_median["gru32"]
        print(f"SeqDsl loop-path GRU(32) (recurrent dropout) / fused GRU(32): {lf:.2f}x  (target <= 1.3x: {verdict(lf <= 1.3)})")
        ratio("gru32_loop_vs_fused", lf)
    if "lstm_do_tr" in step_ratio:
        dr = step_ratio["lstm_do_tr"]
        print(f"SeqDsl LSTM-DO-TR / PyTorch (length-aware forward, target replication, Adam): {dr:.2f}x  (target <= 0.8: {verdict(dr <= 0.8)})")
        ratio("lstm_do_tr", dr)

win_s = [r["batches_per_s"] for r in of("windows", impl="seqdsl")]
win_n = [r["batches_per_s"] for r in of("windows", impl="numpy")]
if win_s and win_n:
    speedup = med(win_s) / med(win_n)
    shape = of("windows", impl="seqdsl")[0].get("shape")
    print(f"\n2. Batch assembly, batches/s (128 shuffled windows {shape} from 420,551x14; median of {len(win_s)} round(s), range)")
    print(f"   SeqDsl WindowGenerator {med(win_s):9.1f}  ({rng(win_s)})")
    print(f"   lecture's numpy gen.   {med(win_n):9.1f}  ({rng(win_n)})")
    print(f"   speed-up {speedup:.1f}x  (target >= 20x: {verdict(speedup >= 20)})")
    ratio("windows_vs_numpy", speedup, "{:.1f}")
    copy = [r["copy_batches_per_s"] for r in of("windows", impl="seqdsl") if "copy_batches_per_s" in r]
    if copy:
        gbs = med([r["copy_gb_per_s"] for r in of("windows", impl="seqdsl") if "copy_gb_per_s" in r])
        print(f"   physical limit: one thread copying the same bytes, one block per window: {med(copy):9.1f} batches/s ({gbs:.1f} GB/s); "
              f"assembly runs at {med(win_s) / med(copy):.0%} of it")
        ratio("windows_vs_copy_limit", med(win_s) / med(copy))

gen = of("generate")
if gen:
    g = gen[0]
    print(f"\n3. Text generation, CharLstm(57), chars/s: median of {g['rounds']} alternating round(s), range")
    print(f"   window   ({g['window_chars']} chars):  {g['window_cps']:9.1f}  ({rng(g['window_cps_all'], '{:.0f}')})")
    print(f"   stateful ({g['stateful_chars']} chars): {g['stateful_cps']:9.1f}  ({rng(g['stateful_cps_all'], '{:.0f}')})")
    if "tensor_step_cps" in g:
        print(f"   (stateful stepping with TorchSharp tensors instead of the managed step, {g['tensor_step_chars']} chars: "
              f"{g['tensor_step_cps']:.1f}, range {rng(g['tensor_step_cps_all'], '{:.0f}')})")
    print(f"   speed-up {g['speedup']:.1f}x, per round {rng(g['speedup_per_round'])}  (target >= 20x: {verdict(g['speedup'] >= 20)})")
    ratio("generation_stateful_vs_window", g["speedup"], "{:.1f}")

spec = of("specgen")
if spec:
    s = spec[0]
    print(f"\n4. Source generator over {s['specs']} example specs ({s['generated']} files, {s['errors']} errors), in-process")
    print(f"   first run in the process (JIT included) {s['first_ms']:9.1f} ms")
    print(f"   full run, warm, fresh driver            {s['full_ms']:9.2f} ms")
    print(f"   rerun, nothing changed                  {s['unchanged_ms']:9.3f} ms")
    print(f"   rerun after editing weather_gru.yaml    {s['incremental_ms']:9.3f} ms")
    print(f"   {s['steps']}; only the edited spec reran: {'yes' if s['only_edited_reran'] else 'NO'}")
    ratio("specgen_first_ms", s["first_ms"], "{:.1f}")
    ratio("specgen_incremental_ms", s["incremental_ms"], "{:.3f}")
    ratio("specgen_incremental_vs_full", s["incremental_ms"] / s["full_ms"], "{:.3f}")
build = of("dotnet_build")
if build:
    b = build[0]
    print(f"   dotnet build of a copy of examples/Weather: first {b['first_s']:.1f} s, no-op {b['noop_s']:.1f} s, "
          f"one yaml edited {b['edit_s']:.1f} s")
    ratio("weather_build_noop_s", b["noop_s"], "{:.1f}")
    ratio("weather_build_one_yaml_s", b["edit_s"], "{:.1f}")

mem = of("memory")
if mem:
    m = mem[0]
    ok = m["growth_pct"] < 10
    print(f"\n5. Memory, GRU(32) training ({m['seconds']:.0f} s, median step {m['median_step_ms']:.1f} ms); VmRSS, highest over the "
          f"{m['window']} steps up to each point:")
    print(f"   after step {m['at']:>5}: {m['rss_at_mb']:7.1f} MB   (single reading {m['raw_at_mb']:.1f} MB, VmHWM {m['hwm_at_mb']:.1f} MB)")
    print(f"   after step {m['steps']:>5}: {m['rss_end_mb']:7.1f} MB   (single reading {m['raw_end_mb']:.1f} MB, VmHWM {m['hwm_end_mb']:.1f} MB)")
    print(f"   growth {m['growth_pct']:+.2f}%  (target < 10%: {verdict(ok)}); single readings {m['raw_growth_pct']:+.2f}%, VmHWM {m['hwm_growth_pct']:+.2f}%")
    ratio("gru32_rss_growth_pct", m["growth_pct"], "{:.2f}")
    ratio("gru32_rss_growth_single_reading_pct", m["raw_growth_pct"], "{:.2f}")

print()
for line in ratios:
    print(line)
PY
if [ "$failures" -gt 0 ]; then
    echo "perf: $failures benchmark command(s) failed; see above" >&2
    exit 1
fi
