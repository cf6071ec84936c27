#!/usr/bin/env python3
"""Turns bench/vector-search/run.sh's JSON lines into a Markdown report and a recall/QPS plot.

Usage: report.py RESULTS.jsonl --meta META.json --out PREFIX   (writes PREFIX.md and PREFIX.png)
"""
import argparse
import json
import platform
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def qps_at(curve, target):
    """QPS where recall@10 first reaches target, interpolated linearly between measured points."""
    pts = sorted(curve, key=lambda r: r["ef"])
    prev = None
    for r in pts:
        if r["recall10"] >= target:
            if prev is None or prev["recall10"] >= target:
                return r["qps"], r["ef"]
            f = (target - prev["recall10"]) / (r["recall10"] - prev["recall10"])
            return prev["qps"] + f * (r["qps"] - prev["qps"]), f"{prev['ef']}-{r['ef']}"
        prev = r
    return None, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--target", type=float, default=0.95)
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    meta = json.load(open(args.meta))
    curves, builds, quality = {}, {}, []
    for r in rows:
        key = (r["system"], r.get("quantization", ""))
        if r["phase"] == "search":
            curves.setdefault(key, []).append(r)
        elif r["phase"] in ("build", "optimize"):
            builds[key + (r["phase"],)] = r
        elif r["phase"] == "quality":
            quality.append(r)

    plt.figure(figsize=(8, 5.5))
    for (system, q), curve in sorted(curves.items()):
        curve = sorted(curve, key=lambda r: r["ef"])
        plt.plot([r["recall10"] for r in curve], [r["qps"] for r in curve], marker="o", markersize=3,
                 label=f"{system} [{q}]")
    plt.yscale("log")
    plt.xlabel("recall@10")
    plt.ylabel("queries/s (one thread, log scale)")
    plt.axvline(args.target, color="grey", linestyle=":", linewidth=1)
    plt.title(f"{meta['base']:,} x {meta['dimension']}-d vectors, {meta['queries']:,} held-apart queries, "
              "HNSW M=16 efC=100")
    plt.grid(True, which="both", alpha=0.3)
    plt.legend(fontsize=8)
    plt.tight_layout()
    plt.savefig(args.out + ".png", dpi=110)

    lines = [f"# Vector search benchmark", "",
             f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, one run. "
             f"Corpus: {meta['base']:,} indexed chunks (FOLDOC, Debian handbook, GCIDE) embedded by our embedding "
             f"service ({meta['model']}), {meta['queries']:,} held-apart chunks as queries, ground truth by exact "
             "brute force (numpy). HNSW M=16, ef_construction=100, one thread for building and searching "
             "everywhere. Command: `bench/vector-search/run.sh`.", "",
             "## Recall@10 vs QPS", "", f"![recall vs QPS]({os.path.basename(args.out)}.png)", "",
             "| system | quantization | ef | recall@10 | QPS |", "|---|---|---:|---:|---:|"]
    for (system, q), curve in sorted(curves.items()):
        for r in sorted(curve, key=lambda r: r["ef"]):
            lines.append(f"| {system} | {q} | {r['ef']} | {r['recall10']:.4f} | {r['qps']:.0f} |")
    lines += ["", f"## QPS at recall@10 = {args.target}", "", "| system | quantization | QPS | ef | vs hnswlib |",
              "|---|---|---:|---:|---:|"]
    hnsw = next((qps_at(c, args.target)[0] for (s, q), c in curves.items() if s.startswith("hnswlib")), None)
    for (system, q), curve in sorted(curves.items()):
        qps, ef = qps_at(curve, args.target)
        ratio = f"{qps / hnsw:.2f}x" if qps and hnsw else "-"
        lines.append(f"| {system} | {q} | {qps:.0f} | {ef} | {ratio} |" if qps else
                     f"| {system} | {q} | never reached | - | - |")
    lines += ["", "## Build time and memory", "",
              "Memory: ours = the bytes a search keeps hot (HNSW graph + the vectors it is searched with; Lucene "
              "maps them, so this is page cache, not heap); hnswlib/FAISS = resident set growth while building.",
              "", "| system | quantization | build s | memory MB | notes |", "|---|---|---:|---:|---|"]
    for (system, q, phase), b in sorted(builds.items()):
        if phase == "optimize":
            system += ", optimize"
            notes = f"{b['segments_before']} -> {b['segments_after']} segments, parts {b['parts']}"
        else:
            notes = f"{b['segments']} segments, parts {b['parts']}" if "segments" in b else ""
        lines.append(f"| {system} | {q} | {b['seconds']:.1f} | {b['ram_bytes'] / 1e6:.1f} | {notes} |")
    ours = {}
    for (s_, q, phase), b in sorted(builds.items(), key=lambda kv: kv[0][2]):  # optimize after build
        if s_.startswith("ours"):
            ours[q] = b
    if "none" in ours and "int8" in ours:
        ratio = ours["int8"]["ram_bytes"] / ours["none"]["ram_bytes"]
        lines += ["", f"Ours, int8 vs fp32 memory: {ratio:.3f}x."]
        fp32 = {r["ef"]: r["recall10"] for (s, q), c in curves.items() if s.startswith("ours (Lucene") and q == "none"
                for r in c}
        int8 = {r["ef"]: r["recall10"] for (s, q), c in curves.items() if s.startswith("ours (Lucene") and q == "int8"
                for r in c}
        losses = [f"ef {ef}: {100 * (fp32[ef] - int8[ef]):+.2f}" for ef in sorted(fp32) if ef in int8]
        lines.append("Recall@10 points lost by int8 after full-precision rescoring (fp32 minus int8; negative: int8 "
                     "found more, as it takes 2x candidates before rescoring): " + ", ".join(losses) + ".")
    inproc = {r["ef"]: r["qps"] for (s, q), c in curves.items() if s == "ours (Lucene, in process)" and q == "none"
              for r in c}
    grpc = {r["ef"]: r["qps"] for (s, q), c in curves.items() if s == "ours (service, gRPC)" and q == "none"
            for r in c}
    if inproc and grpc:
        lines += ["", "## gRPC overhead per query (fp32)", "",
                  "| ef | in process µs | over gRPC µs | overhead µs |", "|---:|---:|---:|---:|"]
        for ef in sorted(inproc):
            if ef in grpc:
                a, b = 1e6 / inproc[ef], 1e6 / grpc[ef]
                lines.append(f"| {ef} | {a:.0f} | {b:.0f} | {b - a:.0f} |")
    if quality:
        lines += ["", "## Retrieval quality (labelled FOLDOC terms)", "",
                  "Query: a FOLDOC headword; relevant: the chunks of its definition (the headword itself is not in "
                  "them). Built by `corpus.py`.", "", "| mode | queries | nDCG@10 | recall@10 |",
                  "|---|---:|---:|---:|"]
        for r in quality:
            lines.append(f"| {r['mode']} | {r['queries']} | {r['ndcg10']:.3f} | {r['recall10']:.3f} |")
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
