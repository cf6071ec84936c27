#!/usr/bin/env python3
"""Stores the race's passages (corpus.py's passages.jsonl) in one system, every passage as it is:

  ours  one POST /v1/documents {"id", "title", "text", "metadata"} per passage (4 at a time); each passage is
        shorter than the orchestrator's 600-character chunks, so it becomes exactly one chunk
  ray   POST /v1/documents {"documents": [...]} in batches of 64 (the peer stores passages unchunked)

Prints one JSON line: passages, seconds, passages/s (informational; ingestion is not part of the race).

  ingest.py --target ours --url http://127.0.0.1:18484 --passages passages.jsonl --label ours
"""
import argparse
import asyncio
import json
import sys
import time

import httpx


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", choices=["ours", "ray"], required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--passages", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    passages = [json.loads(line) for line in open(args.passages, encoding="utf-8") if line.strip()]
    url = args.url.rstrip("/") + "/v1/documents"
    t0 = time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as client:
        async def post(body):
            r = await client.post(url, json=body)
            if r.status_code >= 300:
                sys.exit(f"{args.label}: ingest failed: HTTP {r.status_code}: {r.text[:300]}")
            return r.json()

        if args.target == "ours":
            queue = list(passages)

            async def worker():
                while queue:
                    p = queue.pop(0)
                    chunks = (await post({"id": p["id"], "title": p["title"], "text": p["text"],
                                          "metadata": {"source": "FOLDOC"}})).get("chunks")
                    if chunks != 1:
                        sys.exit(f"{args.label}: passage {p['id']} became {chunks} chunks, not 1")

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        else:
            for i in range(0, len(passages), 64):
                await post({"documents": passages[i:i + 64]})
    seconds = time.perf_counter() - t0
    print(json.dumps({"system": args.label, "kind": "ingest", "passages": len(passages),
                      "seconds": round(seconds, 2), "passages_per_s": round(len(passages) / seconds, 1)}), flush=True)
    print(f"{args.label}: ingested {len(passages)} passages in {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
