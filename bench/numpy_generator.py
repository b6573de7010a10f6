#!/usr/bin/python3
"""The lecture's batch generator (Chollet, Deep Learning with Python, 1st ed., 6.3.2), run as written, timed
the way bench/perf.sh times SeqDsl's WindowGenerator: 128 shuffled windows of 240x14 (lookback 1440, step 6,
delay 144) from rows [0, 200000) of a random 420,551x14 float32 series.

    /usr/bin/python3 bench/numpy_generator.py [--batches 200] [--warmup 50] [--round 1]

Prints a readable line and one `RESULT {json}` line.
"""
import argparse
import json
import statistics
import time

import numpy as np


# --- from the lecture, unchanged -------------------------------------------------------------------------
def generator(data, lookback, delay, min_index, max_index,
              shuffle=False, batch_size=128, step=6):
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = np.random.randint(
                min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)

        samples = np.zeros((len(rows),
                           lookback // step,
                           data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(rows[j] - lookback, rows[j], step)
            samples[j] = data[indices]
            targets[j] = data[rows[j] + delay][1]
        yield samples, targets
# ---------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--round", type=int, default=1)
    args = parser.parse_args()

    np.random.seed(0)
    float_data = np.random.rand(420551, 14).astype(np.float32)
    lookback, step, delay, batch_size = 1440, 6, 144, 128
    train_gen = generator(float_data, lookback=lookback, delay=delay, min_index=0, max_index=200000,
                          shuffle=True, step=step, batch_size=batch_size)
    for _ in range(args.warmup):
        next(train_gen)
    times = []
    shape = None
    start = time.perf_counter()
    for _ in range(max(1, args.batches)):
        t0 = time.perf_counter()
        samples, _ = next(train_gen)
        times.append((time.perf_counter() - t0) * 1000)
        shape = samples.shape
    seconds = time.perf_counter() - start
    per_second = len(times) / seconds
    print(f"numpy generator (the lecture's): {len(times)} batches of {shape} {samples.dtype} in {seconds * 1000:.1f} ms "
          f"= {per_second:.1f} batches/s (median {statistics.median(times):.3f} ms/batch; numpy {np.__version__})")
    print("RESULT " + json.dumps({"kind": "windows", "impl": "numpy", "round": args.round, "batches": len(times),
                                  "seconds": seconds, "batches_per_s": per_second,
                                  "median_ms": statistics.median(times), "shape": list(shape),
                                  "numpy": np.__version__}))


if __name__ == "__main__":
    main()
