#!/usr/bin/env python3
"""Bulk ingestion into the orchestrator: one POST /v1/documents per document against POST /v1/documents/batch
(NDJSON, --batch documents per call), on the same documents, in the same run; prints documents/s of each and
the ratio. The documents are copies of the first --documents of a documents.jsonl (the eval sets' one by
default: ./rag eval --ingest-sets builds it) under fresh ids and metadata {"set": "bench-ingest"}, so they do not
disturb the eval sets. Stdlib only.

  ingest_batch.py [--url http://127.0.0.1:8080] [--documents 300] [--batch 100] [--source DOCS.jsonl]
"""
import argparse
import json
import os
import sys
import time
import urllib.request


def post(url, data, content_type):
    req = urllib.request.Request(url, data=data, headers={"content-type": content_type})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--source", default=os.path.expanduser(
        os.path.join(os.environ.get("RAG_CACHE_DIR", "~/.cache/rag-suite"), "eval", "documents.jsonl")))
    args = ap.parse_args()
    with open(args.source, encoding="utf-8") as f:
        docs = [json.loads(l) for _, l in zip(range(args.documents), f)]

    def copies(prefix):
        return [{**d, "id": f"{prefix}-{i}", "metadata": {"set": "bench-ingest"}} for i, d in enumerate(docs)]

    start = time.perf_counter()
    for d in copies("bench-one"):
        post(args.url + "/v1/documents", json.dumps(d).encode(), "application/json")
    one = len(docs) / (time.perf_counter() - start)

    batch_docs = copies("bench-batch")
    start = time.perf_counter()
    failed = 0
    for i in range(0, len(batch_docs), args.batch):
        body = "".join(json.dumps(d) + "\n" for d in batch_docs[i:i + args.batch]).encode()
        failed += post(args.url + "/v1/documents/batch", body, "application/x-ndjson")["failed"]
    batch = len(docs) / (time.perf_counter() - start)
    print(json.dumps({"documents": len(docs), "batch_size": args.batch, "one_per_call_docs_per_s": round(one, 2),
                      "batch_docs_per_s": round(batch, 2), "ratio": round(batch / one, 2), "failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
