#!/usr/bin/python3
"""The models of bench/perf.sh's training-step comparison, written by hand in PyTorch as a PyTorch user would
write them, and timed the way SeqDsl.Bench times the generated ones: one random batch made before timing,
then per step zero_grad, forward, loss, backward, gradient clipping where the spec asks for it (char LSTM),
optimizer step and loss.item().

    /usr/bin/python3 bench/torch_bench.py step --model gru32 [--warmup 3] [--steps 15] [--threads 2] [--round 1]
    /usr/bin/python3 bench/torch_bench.py info [--threads 2]      # versions, BLAS, threads, denormals

Optimizer as in the specs: RMSprop(lr 1e-3, alpha 0.9, eps 1e-7); the char LSTM lr 0.01 with clip_norm 1.0.
Loss: MAE (l1_loss) for the weather models, cross-entropy from logits for the char LSTM.
The diagnosis model (lstm_do_tr: 32 padded records of 48 steps x 78 inputs, lengths 12..48, 2 x LSTM(128) with
dropout 0.5 between them, 4 logits per step) takes Adam(lr 1e-3, eps 1e-7) and target replication (alpha 0.5):
binary cross-entropy from logits, the last real step's gathered at lengths - 1 and the masked mean over real steps.
Layers nn.GRU cannot express (Keras recurrent dropout: one mask per sequence on the state entering the recurrent
product; a relu GRU) are a hand-written cell loop (LoopGRU) whose input projections of all steps are computed
with one matmul before the loop and split with unbind, as PyTorch's own custom-RNN benchmarks
(benchmarks/fastrnns/custom_lstms.py) do. (Indexing xp[:, t] instead makes every step's backward materialize a
zero tensor the size of all steps: about 25x slower here on torch 1.13.) Denormals are flushed (torch.set_flush_denormal(True)) and the thread count is
torch.set_num_threads(--threads). Prints readable lines and one `RESULT {json}` line.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128
VOCAB = 57


class LoopGRU(nn.Module):
    """GRU layer (torch's / Keras reset_after=True formulation) as a cell loop, with Keras-style input dropout
    and recurrent dropout (masks drawn once per sequence) and a choice of activation."""

    def __init__(self, input_size, units, dropout=0.0, recurrent_dropout=0.0, activation=torch.tanh,
                 return_sequences=False):
        super().__init__()
        self.units = units
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.activation = activation
        self.return_sequences = return_sequences
        self.weight_ih = nn.Parameter(torch.empty(3 * units, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * units, units))
        self.bias_ih = nn.Parameter(torch.zeros(3 * units))
        self.bias_hh = nn.Parameter(torch.zeros(3 * units))
        nn.init.xavier_uniform_(self.weight_ih)
        nn.init.orthogonal_(self.weight_hh)

    def forward(self, x):
        batch, steps, features = x.shape
        if self.training and self.dropout > 0:
            x = x * F.dropout(x.new_ones(batch, 1, features), self.dropout, True)
        mask = None
        if self.training and self.recurrent_dropout > 0:
            mask = F.dropout(x.new_ones(batch, self.units), self.recurrent_dropout, True)
        xp = F.linear(x, self.weight_ih, self.bias_ih)          # (batch, steps, 3 units), all steps at once
        h = x.new_zeros(batch, self.units)
        xs = xp.unbind(1)                                      # per-step views; backward stacks their gradients
        outputs = []
        for t in range(steps):
            hp = F.linear(h * mask if mask is not None else h, self.weight_hh, self.bias_hh)
            xr, xz, xn = xs[t].chunk(3, 1)
            hr, hz, hn = hp.chunk(3, 1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            n = self.activation(xn + r * hn)
            h = (1 - z) * n + z * h
            if self.return_sequences:
                outputs.append(h)
        return torch.stack(outputs, 1) if self.return_sequences else h


class Gru32(nn.Module):                      # weather_gru.yaml
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(14, 32, batch_first=True)
        self.dense = nn.Linear(32, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.dense(h[-1])


class Gru32Dropout(nn.Module):               # weather_gru_dropout.yaml
    def __init__(self):
        super().__init__()
        self.gru = LoopGRU(14, 32, dropout=0.2, recurrent_dropout=0.2)
        self.dense = nn.Linear(32, 1)

    def forward(self, x):
        return self.dense(self.gru(x))


class StackedGru(nn.Module):                 # weather_stacked_gru.yaml
    def __init__(self):
        super().__init__()
        self.gru1 = LoopGRU(14, 32, dropout=0.1, recurrent_dropout=0.5, return_sequences=True)
        self.gru2 = LoopGRU(32, 64, dropout=0.1, recurrent_dropout=0.5, activation=torch.relu)
        self.dense = nn.Linear(64, 1)

    def forward(self, x):
        return self.dense(self.gru2(self.gru1(x)))


class BiGru32(nn.Module):                    # weather_bidirectional_gru.yaml
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(14, 32, batch_first=True, bidirectional=True)
        self.dense = nn.Linear(64, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.dense(torch.cat([h[0], h[1]], 1))


class Conv1dGru(nn.Module):                  # bench/SeqDsl.Bench/specs/conv1d_gru_480.yaml
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(14, 32, 5)
        self.conv2 = nn.Conv1d(32, 32, 5)
        self.gru = LoopGRU(32, 32, dropout=0.1, recurrent_dropout=0.5)
        self.dense = nn.Linear(32, 1)

    def forward(self, x):
        x = x.transpose(1, 2)                # (batch, channels, time)
        x = F.max_pool1d(torch.relu(self.conv1(x)), 3)
        x = torch.relu(self.conv2(x))
        return self.dense(self.gru(x.transpose(1, 2)))


class CharLstm(nn.Module):                   # char_lstm.yaml (logits; the softmax is inside the loss)
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(VOCAB, 128, batch_first=True)
        self.dense = nn.Linear(128, VOCAB)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.dense(h[-1])


DIAGNOSIS_BATCH, DIAGNOSIS_TIME, DIAGNOSIS_FEATURES, DIAGNOSIS_LABELS, SHORTEST_RECORD = 32, 48, 78, 4, 12
TARGET_REPLICATION = 0.5


class LstmDoTr(nn.Module):                   # the diagnosis model (Lipton et al. 2016): 4 logits per step
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(DIAGNOSIS_FEATURES, 128, num_layers=2, dropout=0.5, batch_first=True)
        self.dense = nn.Linear(128, DIAGNOSIS_LABELS)

    def forward(self, x):
        # Padding comes after each record's end, so a plain padded run leaves the real steps' outputs exact.
        return self.dense(self.lstm(x)[0])


def record_lengths():
    """The lengths SeqDsl.Bench's DiagnosisBench.RecordLengths draws: a 64-bit LCG (Knuth's MMIX constants, seed 1),
    12..48, the first forced to 48."""
    state, lengths = 1, []
    for _ in range(DIAGNOSIS_BATCH):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2 ** 64
        lengths.append(SHORTEST_RECORD + (state >> 33) % (DIAGNOSIS_TIME - SHORTEST_RECORD + 1))
    lengths[0] = DIAGNOSIS_TIME
    return torch.tensor(lengths)


def target_replication_loss(logits, labels, lengths, mask):
    """BCE from logits, alpha x (mean over real steps) + (1 - alpha) x (last real step), averaged over records and labels."""
    per_step = F.binary_cross_entropy_with_logits(logits, labels.unsqueeze(1).expand_as(logits), reduction="none")
    last = per_step.gather(1, (lengths - 1).view(-1, 1, 1).expand(-1, 1, per_step.shape[2])).squeeze(1)
    mean_over_steps = (per_step * mask.unsqueeze(2)).sum(1) / lengths.unsqueeze(1)
    return (TARGET_REPLICATION * mean_over_steps + (1 - TARGET_REPLICATION) * last).mean()


def diagnosis_batch():
    lengths = record_lengths()
    mask = (torch.arange(DIAGNOSIS_TIME).unsqueeze(0) < lengths.unsqueeze(1)).float()
    x = torch.rand(DIAGNOSIS_BATCH, DIAGNOSIS_TIME, DIAGNOSIS_FEATURES) * mask.unsqueeze(2)
    labels = torch.randint(0, 2, (DIAGNOSIS_BATCH, DIAGNOSIS_LABELS)).float()
    return x, labels, lengths, mask


# name: (model, input shape, loss, learning rate, clip norm)
MODELS = {
    "gru32": (Gru32, (BATCH, 240, 14), "mae", 1e-3, None),
    "gru32_dropout": (Gru32Dropout, (BATCH, 240, 14), "mae", 1e-3, None),
    "stacked_gru": (StackedGru, (BATCH, 240, 14), "mae", 1e-3, None),
    "bigru32": (BiGru32, (BATCH, 240, 14), "mae", 1e-3, None),
    "conv1d_gru480": (Conv1dGru, (BATCH, 480, 14), "mae", 1e-3, None),
    "char_lstm": (CharLstm, (BATCH, 60, VOCAB), "cross_entropy", 1e-2, 1.0),
    "lstm_do_tr": (LstmDoTr, (DIAGNOSIS_BATCH, DIAGNOSIS_TIME, DIAGNOSIS_FEATURES), "target_replication", 1e-3, None),
}


def configure(threads):
    torch.set_num_threads(threads)
    return torch.set_flush_denormal(True)


def step_command(args):
    make, shape, loss_name, lr, clip = MODELS[args.model]
    flushed = configure(args.threads)
    torch.manual_seed(42)
    model = make()
    model.train()
    params = list(model.parameters())
    if loss_name == "target_replication":
        optimizer = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)
        x, labels, lengths, mask = diagnosis_batch()
        y = None
        loss_fn = lambda logits, _: target_replication_loss(logits, labels, lengths, mask)
    else:
        optimizer = torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
    if loss_name == "cross_entropy":
        x = F.one_hot(torch.randint(0, VOCAB, shape[:2]), VOCAB).float()
        y = torch.randint(0, VOCAB, (shape[0],))
        loss_fn = F.cross_entropy
    elif loss_name == "mae":
        x = torch.randn(shape)
        y = torch.randn(shape[0], 1)
        loss_fn = F.l1_loss

    times = []
    loss_value = 0.0
    for i in range(args.warmup + max(1, args.steps)):
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        loss_value = loss.item()
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= args.warmup:
            times.append(elapsed)
    if loss_value != loss_value:
        sys.exit(f"{args.model}: the loss is NaN")
    median = statistics.median(times)
    count = sum(p.numel() for p in params)
    if loss_name == "target_replication":   # the mean tells that both sides drew the same lengths
        loss_name += f", lengths {SHORTEST_RECORD}..{DIAGNOSIS_TIME} (mean {lengths.float().mean().item():.2f})"
    print(f"pytorch {args.model:<14} ({count:,} params, input {'x'.join(map(str, shape))}, {type(optimizer).__name__} lr {lr}, "
          f"{loss_name}{f', clip {clip}' if clip else ''}, {torch.get_num_threads()} threads, denormals flushed: {flushed}): "
          f"median {median:.1f} ms over {len(times)} steps after {args.warmup} warm-up")
    print("RESULT " + json.dumps({"kind": "step", "impl": "pytorch", "model": args.model, "round": args.round,
                                  "threads": torch.get_num_threads(), "warmup": args.warmup, "median_ms": median,
                                  "times_ms": times, "parameters": count, "flush_denormal": flushed}))


def loaded_libraries(*needles):
    """Shared objects mapped into this process whose names contain one of the needles (resolved links)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and any(n in os.path.basename(parts[5]) for n in needles):
                found.add(os.path.realpath(parts[5]))
    return sorted(found)


def info_command(args):
    flushed = configure(args.threads)
    # Run a matmul and a GRU so that BLAS is surely loaded and used.
    a = torch.randn(256, 256)
    (a @ a).sum().item()
    nn.GRU(14, 32, batch_first=True)(torch.randn(4, 10, 14))
    config = torch.__config__.show()
    blas_info = ["=".join(m) for m in re.findall(r"\b(BLAS_INFO|LAPACK_INFO|USE_MKLDNN|USE_OPENMP)=([^,\s]+)", config)]
    blas = loaded_libraries("blas", "lapack", "mkl")
    import numpy
    info = {
        "kind": "info",
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "flush_denormal": flushed,
        "blas_config": blas_info,
        "blas_loaded": blas,
        "mkldnn": torch.backends.mkldnn.is_available(),
        "mkl": torch.backends.mkl.is_available(),
        "openmp": torch.backends.openmp.is_available(),
    }
    print(f"pytorch {info['torch']} (python {info['python']}, numpy {info['numpy']}), {info['threads']} threads, "
          f"denormals flushed: {flushed}, mkl: {info['mkl']}, mkldnn: {info['mkldnn']}, openmp: {info['openmp']}")
    print("  build config: " + ("; ".join(blas_info) or "no BLAS line in torch.__config__.show()"))
    print("  BLAS libraries loaded: " + (", ".join(blas) or "none found in /proc/self/maps"))
    print("RESULT " + json.dumps(info))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    step = sub.add_parser("step")
    step.add_argument("--model", required=True, choices=sorted(MODELS))
    step.add_argument("--warmup", type=int, default=3)
    step.add_argument("--steps", type=int, default=15)
    step.add_argument("--threads", type=int, default=os.cpu_count())
    step.add_argument("--round", type=int, default=1)
    info = sub.add_parser("info")
    info.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.command == "step":
        step_command(args)
    else:
        info_command(args)


if __name__ == "__main__":
    main()
