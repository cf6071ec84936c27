#!/usr/bin/env python3
"""Embeds the benchmark corpus with our embedding service and computes exact ground truth.

Reads chunks.jsonl and labels.jsonl (from corpus.py) in --dir, calls the embedding service's REST API
(POST /v1/embed, all-MiniLM-L6-v2, unit-length 384-d vectors) and writes, in --dir:
  base.f32 / base.ids      the indexed vectors (all chunks but the last --queries), float32 row-major
  queries.f32              the held-apart chunks' vectors, used as queries (never indexed)
  gt.i32                   exact top-100 base rows per query by inner product (= cosine), int32
  labels.f32               the labelled terms' vectors (retrieval quality)
  meta.json                counts, dimension, model

Usage: prepare.py --dir DIR --url http://127.0.0.1:PORT [--queries 1000]
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time
import urllib.request

import numpy as np


def embed_all(url, texts, shard_dir, batch=32, workers=4, shard=6400):
    """Embeds in shards of `shard` texts, each saved under shard_dir, so an interrupted run resumes."""
    os.makedirs(shard_dir, exist_ok=True)
    out = np.zeros((len(texts), 384), dtype=np.float32)
    start = time.time()
    for first in range(0, len(texts), shard):
        path = os.path.join(shard_dir, f"{first:07d}.npy")
        if not os.path.exists(path):
            np.save(path + ".part.npy", embed_shard(url, texts[first:first + shard], batch, workers))
            os.replace(path + ".part.npy", path)
        out[first:first + shard] = np.load(path)
        done = min(len(texts), first + shard)
        print(f"  embedded {done}/{len(texts)} ({(time.time() - start):.0f} s)", file=sys.stderr)
    return out


def embed_shard(url, texts, batch, workers):
    def call(chunk):
        # Chunks past the model's 256 tokens are truncated, as the orchestrator's ingestion does.
        body = json.dumps({"texts": chunk, "truncate": True}).encode("utf-8")
        req = urllib.request.Request(url + "/v1/embed", data=body, headers={"content-type": "application/json"})
        for attempt in range(5):
            try:
                with urllib.request.urlopen(req, timeout=300) as r:
                    return json.load(r)["embeddings"]
            except urllib.error.HTTPError as e:
                if e.code != 429 or attempt == 4:
                    raise RuntimeError(f"embedding service answered {e.code}: {e.read()[:500]!r} for {chunk!r}")
                time.sleep(0.5 * (attempt + 1))

    parts = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    out = np.zeros((len(texts), 384), dtype=np.float32)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for n, vectors in enumerate(pool.map(call, parts)):
            out[n * batch:n * batch + len(vectors)] = np.asarray(vectors, dtype=np.float32)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    with open(os.path.join(args.dir, "chunks.jsonl"), encoding="utf-8") as f:
        chunks = [json.loads(line) for line in f]
    with open(os.path.join(args.dir, "labels.jsonl"), encoding="utf-8") as f:
        labels = [json.loads(line) for line in f]
    start = time.time()
    vectors = embed_all(args.url, [c["text"] for c in chunks], os.path.join(args.dir, "shards"))
    label_vectors = embed_all(args.url, [t["query"] for t in labels], os.path.join(args.dir, "shards-labels"))
    seconds = time.time() - start
    n = len(chunks) - args.queries
    base, queries = vectors[:n], vectors[n:]
    base.tofile(os.path.join(args.dir, "base.f32"))
    queries.tofile(os.path.join(args.dir, "queries.f32"))
    label_vectors.tofile(os.path.join(args.dir, "labels.f32"))
    with open(os.path.join(args.dir, "base.ids"), "w", encoding="utf-8") as f:
        f.write("\n".join(c["id"] for c in chunks[:n]) + "\n")
    # Exact ground truth: inner product of unit vectors is cosine; top 100 per query, best first.
    gt = np.zeros((len(queries), 100), dtype=np.int32)
    for i in range(0, len(queries), 100):
        scores = queries[i:i + 100] @ base.T
        top = np.argpartition(-scores, 100, axis=1)[:, :100]
        order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
        gt[i:i + 100] = np.take_along_axis(top, order, axis=1)
    gt.tofile(os.path.join(args.dir, "gt.i32"))
    meta = {"base": n, "queries": len(queries), "labels": len(labels), "dimension": 384,
            "model": "all-minilm-l6-v2 (our embedding service)", "embed_seconds": round(seconds, 1),
            "norms": [float(np.linalg.norm(base, axis=1).min()), float(np.linalg.norm(base, axis=1).max())]}
    with open(os.path.join(args.dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{meta} -> {args.dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
