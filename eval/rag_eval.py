#!/usr/bin/env python3
"""Measures retrieval and answer quality of a running suite on question sets (`./rag eval DATASET...`).

A dataset is JSONL, one question per line: {"question": ..., "relevant": [document ids], "answer": optional}.
For each retrieval setting (dense, BM25, hybrid with each fusion and dense weight) every question goes to
POST /v1/rag/retrieve (top_k 20, rerank none); the passages' documents, in order of first appearance, are the
ranking scored against `relevant`: recall@5, recall@10, nDCG@10 (binary relevance) and MRR. With --answers N,
the first N questions also go through POST /v1/rag/query (the server's defaults): the share of answers that cite
a relevant document ([n] markers), that had one in the prompt, that cite nothing, and the latency.

Files named NAME.dev.jsonl / NAME.test.jsonl (eval/sets) are queried with the filter metadata set = NAME, so
one collection holds every set; --no-set-filter turns that off. --ingest DOCS.jsonl loads documents first
(POST /v1/documents/batch, NDJSON). Writes --out/eval.json and, where matplotlib is installed, eval.png.
Library use: `evaluate(url, questions, setting)` returns the metrics of one setting.

  rag_eval.py [--url http://127.0.0.1:8080] [--ingest docs.jsonl] [--answers 20] [--out DIR] DATASET...
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
import urllib.error
import urllib.request

SETTINGS = ["dense", "bm25", "hybrid:rrf", "hybrid:relative_score", "hybrid:dbsf"]


def post(url, body, content_type="application/json", timeout=600):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    for attempt in range(30):
        req = urllib.request.Request(url, data=data, headers={"content-type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            if e.code == 429:  # the orchestrator's rate limit: wait as it says
                time.sleep(float(e.headers.get("retry-after", "1")))
                continue
            raise SystemExit(f"{url}: HTTP {e.code}: {e.read().decode('utf-8', 'replace')}")
    raise SystemExit(f"{url}: still rate limited after 30 tries")


def setting_options(setting, dense_weight):
    """The query options of a setting name ("dense", "bm25", "hybrid:<fusion>") and a dense weight in (0, 1)."""
    if setting in ("dense", "bm25"):
        return {"retrieval": setting}
    fusion = setting.split(":", 1)[1]
    return {"retrieval": "hybrid", "fusion": fusion, "dense_weight": dense_weight, "bm25_weight": 1 - dense_weight}


def ranking(passages):
    seen = []
    for p in passages:
        if p["document_id"] not in seen:
            seen.append(p["document_id"])
    return seen


def scores(ranked, relevant):
    relevant = set(relevant)
    hits = [1 if d in relevant else 0 for d in ranked]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits[:10]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    rr = next((1 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
    return {"recall@5": sum(hits[:5]) / len(relevant), "recall@10": sum(hits[:10]) / len(relevant),
            "ndcg@10": dcg / ideal if ideal else 0.0, "mrr": rr}


def evaluate(url, questions, options, extra=None):
    """Mean retrieval metrics and latency of one setting over the questions."""
    totals, latencies = {}, []
    for q in questions:
        body = {"question": q["question"], "top_k": 20, "rerank": "none", **options, **(extra or {})}
        start = time.perf_counter()
        reply = post(url + "/v1/rag/retrieve", body)
        latencies.append((time.perf_counter() - start) * 1000)
        for k, v in scores(ranking(reply["passages"]), q["relevant"]).items():
            totals[k] = totals.get(k, 0.0) + v
    out = {k: round(v / len(questions), 4) for k, v in totals.items()}
    out["p50_ms"] = round(statistics.median(latencies), 1)
    return out


def answers(url, questions, extra):
    cited = in_prompt = nothing = 0
    latencies = []
    for q in questions:
        start = time.perf_counter()
        reply = post(url + "/v1/rag/query", {"question": q["question"], **extra})
        latencies.append((time.perf_counter() - start) * 1000)
        relevant = set(q["relevant"])
        cited += any(c["document_id"] in relevant for c in reply.get("citations", []))
        in_prompt += any(p["document_id"] in relevant for p in reply.get("context", []))
        nothing += bool(reply.get("cites_nothing"))
    n = len(questions)
    latencies.sort()
    return {"questions": n, "cited_relevant": round(cited / n, 4), "relevant_in_prompt": round(in_prompt / n, 4),
            "cites_nothing": round(nothing / n, 4), "p50_ms": round(latencies[n // 2], 1),
            "p95_ms": round(latencies[min(n - 1, int(n * 0.95))], 1)}


def ingest(url, path, batch=200):
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    start = time.perf_counter()
    failed = 0
    for i in range(0, len(lines), batch):
        reply = post(url + "/v1/documents/batch", "".join(lines[i:i + batch]).encode("utf-8"), "application/x-ndjson")
        failed += reply["failed"]
        for d in reply["documents"]:
            if d.get("error"):
                print(f"  {d['id']}: {d['error']}", file=sys.stderr)
    seconds = time.perf_counter() - start
    print(f"ingested {len(lines) - failed} of {len(lines)} documents in {seconds:.1f} s "
          f"({len(lines) / seconds:.1f} documents/s)", file=sys.stderr)


def set_name(path):
    base = os.path.basename(path)
    for suffix in (".dev.jsonl", ".test.jsonl", ".jsonl"):
        if base.endswith(suffix):
            return base[:-len(suffix)], base[:-len(".jsonl")]
    return base, base


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return
    names = list(results)
    settings = list(next(iter(results.values()))["retrieval"])
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(names) * len(settings) / 4), 4))
    width = 0.8 / len(settings)
    for j, s in enumerate(settings):
        ax.bar([i + j * width for i in range(len(names))], [results[n]["retrieval"][s]["ndcg@10"] for n in names],
               width, label=s)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names)
    ax.set_ylabel("nDCG@10")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--url", default=os.environ.get("RAG_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--ingest", help="documents to load first (JSONL of {id, title, text, metadata})")
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--dense-weights", default="0.5", help="dense weights of the hybrid settings, e.g. 0.3,0.5,0.7")
    ap.add_argument("--answers", type=int, default=0, help="questions per set also answered by /v1/rag/query")
    ap.add_argument("--no-set-filter", action="store_true")
    ap.add_argument("--out", default="eval-results")
    args = ap.parse_args()
    if args.ingest:
        ingest(args.url, args.ingest)
    weights = [float(w) for w in args.dense_weights.split(",")]
    results = {}
    for path in args.datasets:
        with open(path, encoding="utf-8") as f:
            questions = [json.loads(l) for l in f if l.strip()]
        name, label = set_name(path)
        extra = {} if args.no_set_filter else {"filter": {"must": [{"match": {"key": "set", "any_of": [name]}}]}}
        retrieval = {}
        for s in args.settings.split(","):
            for w in ([None] if not s.startswith("hybrid") else weights):
                key = s if w is None else f"{s}@{w}"
                retrieval[key] = evaluate(args.url, questions, setting_options(s, w), extra)
                print(f"{label:16} {key:28} " + " ".join(f"{k} {v}" for k, v in retrieval[key].items()), file=sys.stderr)
        results[label] = {"questions": len(questions), "retrieval": retrieval}
        if args.answers:
            results[label]["answers"] = answers(args.url, questions[:args.answers], extra)
            print(f"{label:16} answers {results[label]['answers']}", file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "eval.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {os.path.join(args.out, 'eval.json')}", file=sys.stderr)
    plot(results, os.path.join(args.out, "eval.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
