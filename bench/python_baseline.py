#!/usr/bin/env python3
"""Python side of the Executor benchmark: concurrent.futures.ThreadPoolExecutor(4), 100k submit + add_done_callback.

Same shape as ThroughputBenchmarks.Executor in bench/Executor.Benchmarks: one operation submits N trivial tasks,
attaches one done callback to each (a thread-safe counter increment; the last one sets an event), and waits until
every callback has run. The pool is created once and warmed up, like the C# benchmark's [GlobalSetup].

Usage: python3 bench/python_baseline.py [--tasks 100000] [--runs 5] [--workers 4]
"""

import argparse
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def task():
    pass


def run_once(pool, n):
    lock = threading.Lock()
    done = threading.Event()
    count = 0

    def callback(_future):
        nonlocal count
        with lock:  # callbacks run on the workers (or here, when the task is already done): synchronize
            count += 1
            last = count == n
        if last:
            done.set()

    start = time.perf_counter()
    for _ in range(n):
        pool.submit(task).add_done_callback(callback)
    done.wait()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with ThreadPoolExecutor(args.workers) as pool:
        run_once(pool, min(args.tasks, 10_000))  # warm-up: start the workers
        times = [run_once(pool, args.tasks) for _ in range(args.runs)]

    median = statistics.median(times)
    print(f"Python {sys.version.split()[0]} concurrent.futures.ThreadPoolExecutor({args.workers}): "
          f"{args.tasks:,} x submit + add_done_callback")
    print("runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"median {median * 1000:.0f} ms, best {min(times) * 1000:.0f} ms -> "
          f"{args.tasks / median:,.0f} tasks/s (median), {args.tasks / min(times):,.0f} tasks/s (best)")


if __name__ == "__main__":
    main()
