#!/usr/bin/env python3
"""hnswlib and FAISS HNSW on the benchmark vectors, with the same M, ef_construction and one thread.

Each index is built over base.f32, then searched for queries.f32 at every ef in --ef; a row per point of
the recall@10 / QPS curve goes to --out (JSON lines), plus one row per build (seconds, memory). Queries
are passed as one batch with one thread: the peers' best case (no per-call Python overhead).
Memory: the process's resident set growth while building (what the index holds in RAM).

Usage: peers.py --dir DIR --out FILE [--m 16] [--ef-construction 100] [--ef 10,20,...]
"""
import argparse
import json
import os
import sys
import statistics
import time

# Timed passes per ef (median reported); VectorBench.java times ours the same way.
PASSES = 7

import numpy as np


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def recall_at_10(found, gt):
    return float(np.mean([len(set(f[:10]) & set(g[:10])) / 10 for f, g in zip(found, gt)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--ef", default="10,16,24,32,48,64,96,128,192,256,384")
    args = ap.parse_args()
    meta = json.load(open(os.path.join(args.dir, "meta.json")))
    d = meta["dimension"]
    base = np.fromfile(os.path.join(args.dir, "base.f32"), dtype=np.float32).reshape(-1, d)
    queries = np.fromfile(os.path.join(args.dir, "queries.f32"), dtype=np.float32).reshape(-1, d)
    gt = np.fromfile(os.path.join(args.dir, "gt.i32"), dtype=np.int32).reshape(len(queries), -1)
    efs = [int(x) for x in args.ef.split(",")]
    out = open(args.out, "a")

    def median_qps(search):
        """One untimed pass, then PASSES timed passes of all queries: the median QPS and the last answer (one
        pass of 1,000 queries is a quarter second, too short to be steady on a shared 2-core machine)."""
        labels = search()
        rates = []
        for _ in range(PASSES):
            start = time.perf_counter()
            labels = search()
            rates.append(len(queries) / (time.perf_counter() - start))
        return statistics.median(rates), labels

    def emit(row):
        row.update({"m": args.m, "ef_construction": args.ef_construction, "n": len(base)})
        out.write(json.dumps(row) + "\n")
        out.flush()
        print(row, file=sys.stderr)

    import hnswlib
    before = rss()
    start = time.perf_counter()
    index = hnswlib.Index(space="ip", dim=d)
    index.init_index(max_elements=len(base), M=args.m, ef_construction=args.ef_construction, random_seed=1)
    index.add_items(base, np.arange(len(base)), num_threads=1)
    emit({"system": "hnswlib 0.8.0", "quantization": "none", "phase": "build",
          "seconds": time.perf_counter() - start, "ram_bytes": rss() - before})
    for ef in efs:
        index.set_ef(max(ef, 10))
        qps, labels = median_qps(lambda: index.knn_query(queries, k=10, num_threads=1)[0])
        emit({"system": "hnswlib 0.8.0", "quantization": "none", "phase": "search", "ef": ef,
              "recall10": recall_at_10(labels, gt), "qps": qps, "passes": PASSES})
    del index

    import faiss
    faiss.omp_set_num_threads(1)
    for name, make in [("none", lambda: faiss.IndexHNSWFlat(d, args.m, faiss.METRIC_INNER_PRODUCT)),
                       ("int8", lambda: faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, args.m,
                                                          faiss.METRIC_INNER_PRODUCT))]:
        before = rss()
        start = time.perf_counter()
        index = make()
        index.hnsw.efConstruction = args.ef_construction
        if not index.is_trained:
            index.train(base)
        index.add(base)
        emit({"system": f"faiss {faiss.__version__} HNSW", "quantization": name, "phase": "build",
              "seconds": time.perf_counter() - start, "ram_bytes": rss() - before})
        for ef in efs:
            index.hnsw.efSearch = ef
            qps, labels = median_qps(lambda: index.search(queries, 10)[1])
            emit({"system": f"faiss {faiss.__version__} HNSW", "quantization": name, "phase": "search", "ef": ef,
                  "recall10": recall_at_10(labels, gt), "qps": qps, "passes": PASSES})
        del index
    return 0


if __name__ == "__main__":
    sys.exit(main())
