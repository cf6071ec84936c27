#!/usr/bin/env python3
"""Turns the JSON lines of bench/embedding/run.sh into a Markdown table with ratios and a PNG plot."""
import argparse
import hashlib
import json
import os
import platform
import subprocess
from datetime import date


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}, {java}"


def config(r):
    if r["system"] == "service-grpc":
        return f"{r['clients']} clients, 1 sentence/request"
    parts = [f"batch {r['batch_size']}"]
    if r.get("parallel", 1) > 1:
        parts.append(f"{r['parallel']} calls at once x {r['intra_op_threads']} thread")
    elif "intra_op_threads" in r:
        parts.append("ORT default threads" if r["intra_op_threads"] == 0 else f"{r['intra_op_threads']} threads")
    if r.get("sorted_by_length"):
        parts.append("sorted by length up front")
    return ", ".join(parts)


def best(rows, system, **match):
    candidates = [r for r in rows if r["system"] == system and all(r.get(k) == v for k, v in match.items())]
    return max(candidates, key=lambda r: r["sentences_per_s"]) if candidates else None


def fmt(v):
    return "" if v is None else f"{v:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--sentences", required=True)
    ap.add_argument("--out", required=True, help="path prefix for .md and .png")
    args = ap.parse_args()
    rows = [json.loads(l) for l in open(args.jsonl) if l.strip()]
    sha = hashlib.sha256(open(args.sentences, "rb").read()).hexdigest()
    service = sorted((r for r in rows if r["system"] == "service-grpc"), key=lambda r: r["clients"])
    raw_best = best(rows, "raw-ort-jvm", sorted_by_length=False)
    raw_sorted = best(rows, "raw-ort-jvm", sorted_by_length=True)
    st_best = best(rows, "sentence-transformers")
    ort_best = best(rows, "onnxruntime-python")
    peers = [("(a) raw ORT in the JVM, best batch, input order", raw_best),
             ("(a') raw ORT in the JVM, best batch, sorted by length up front", raw_sorted),
             ("(c) sentence-transformers, best", st_best),
             ("(d) onnxruntime in Python, best", ort_best)]
    peers = [(label, r) for label, r in peers if r]

    md = [f"# Embedding benchmark: all-MiniLM-L6-v2 on CPU", "",
          f"Run {date.today()} on {machine()}.", "",
          f"{rows[0]['sentences']} FOLDOC sentences (sha256 `{sha[:16]}...`), made by `make_sentences.py`. "
          "Command: `bench/embedding/run.sh`. Sentences/s is over the whole file after a warm-up; latency is "
          "per call (a batch for (a), (c), (d); one request for (b)). The load generator of (b) runs on the "
          "same cores as the service; its CPU share is in the last column.", "",
          "| system | configuration | sentences/s | p50 ms | p99 ms | load generator CPU (cores) |",
          "|---|---|---:|---:|---:|---:|"]
    order = ["raw-ort-jvm", "service-grpc", "sentence-transformers", "onnxruntime-python"]
    names = {"raw-ort-jvm": "(a) raw ORT, JVM", "service-grpc": "(b) service, gRPC",
             "sentence-transformers": "(c) sentence-transformers", "onnxruntime-python": "(d) onnxruntime, Python"}
    for r in sorted(rows, key=lambda r: order.index(r["system"])):
        md.append(f"| {names[r['system']]} | {config(r)} | {fmt(r['sentences_per_s'])} | {fmt(r.get('p50_ms'))} "
                  f"| {fmt(r.get('p99_ms'))} | {fmt(r.get('client_cpu_cores'))} |")
    md += ["", "## Ratios: service throughput / peer throughput", "",
           "| clients | service sentences/s | " + " | ".join(label for label, _ in peers) + " |",
           "|---:|---:|" + "---:|" * len(peers)]
    for s in service:
        md.append(f"| {s['clients']} | {fmt(s['sentences_per_s'])} | "
                  + " | ".join(f"{s['sentences_per_s'] / p['sentences_per_s']:.2f}x" for _, p in peers) + " |")
    at16 = next((s for s in service if s["clients"] == 16), None)
    if at16 and raw_best and st_best:
        r_raw = at16["sentences_per_s"] / raw_best["sentences_per_s"]
        r_st = at16["sentences_per_s"] / st_best["sentences_per_s"]
        md += ["", "## Goals of issue 3 (service at 16 clients)", "",
               f"- >= 0.9x raw ORT at its best batch size: **{r_raw:.3f}x** "
               f"({'met' if r_raw >= 0.9 else 'NOT met'})"
               + (f"; against raw sorted by length up front: {at16['sentences_per_s'] / raw_sorted['sentences_per_s']:.2f}x"
                  if raw_sorted else ""),
               f"- >= 2x sentence-transformers (its best configuration): **{r_st:.3f}x** "
               f"({'met' if r_st >= 2 else 'NOT met'})"]
    md += ["", f"![throughput vs concurrency]({os.path.basename(args.out)}.png)", ""]
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(md))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    xs = [s["clients"] for s in service]
    ax.plot(xs, [s["sentences_per_s"] for s in service], "o-", color="C0", lw=2, label="(b) service over gRPC")
    styles = ["--", ":", "-.", (0, (5, 1))]
    for (label, r), style, color in zip(peers, styles, ["C1", "C2", "C3", "C4"]):
        ax.axhline(r["sentences_per_s"], ls=style, color=color, label=f"{label} ({r['sentences_per_s']:.0f})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.set_xlabel("concurrent gRPC clients (1 sentence per request)")
    ax.set_ylabel("sentences / s")
    ax.set_ylim(bottom=0)
    ax.set_title(f"all-MiniLM-L6-v2 on {os.cpu_count()} CPUs, {rows[0]['sentences']} sentences")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out + ".png")
    print(open(args.out + ".md").read())


if __name__ == "__main__":
    main()
