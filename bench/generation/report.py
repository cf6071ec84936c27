#!/usr/bin/env python3
"""Turns bench/generation/run.sh's JSON lines into a Markdown table (with the issue's ratios) and a plot.

Usage: report.py RESULTS.jsonl --out PREFIX   (writes PREFIX.md and PREFIX.png)
"""
import argparse
import json
import os
import platform

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RAW = "raw llama.cpp (jllama in process)"
GRPC = "ours, gRPC"
REST = "ours, REST (OpenAI SSE)"
PEER = "llama-cpp-python server"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    by = {(r["system"], r["concurrency"]): r for r in rows}
    systems = [s for s in [RAW, GRPC, REST, PEER] if any(k[0] == s for k in by)]
    levels = sorted({r["concurrency"] for r in rows})

    def tps(system, c):
        r = by.get((system, c))
        return r["tokens_per_s"] if r else None

    def ratio(a, b):
        return f"{a / b:.2f}x" if a and b else "n/a"

    lines = ["# Generation benchmark", "",
             f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}. "
             f"Model SmolLM2-135M-Instruct Q4_1, greedy, {rows[0]['max_tokens']} tokens per request, 2 threads, "
             "16 slots for ours (llama-cpp-python's server runs one sequence at a time). "
             "Command: `bench/generation/run.sh`.", "",
             "| system | streams | requests | tokens/s (aggregate) | TTFT p50 ms | TTFT p99 ms | inter-token p50 ms | inter-token p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in levels:
        for s in systems:
            r = by.get((s, c))
            if r:
                lines.append(f"| {s} | {c} | {r['requests']} | {r['tokens_per_s']:.1f} | {r['ttft_ms_p50']:.0f} | "
                             f"{r['ttft_ms_p99']:.0f} | {r['itl_ms_p50']:.1f} | {r['itl_ms_p99']:.1f} |")
    lines += ["", "## The issue's goals, from this run", "",
              "| goal | measured | ratio |", "|---|---|---:|"]
    # The raw engine's figures are llama.cpp's own batched-bench now (ceiling-compare.sh); older runs had a row.
    if any(k[0] == RAW for k in by):
        for label, s in [("gRPC", GRPC), ("REST", REST)]:
            lines.append(f"| 1 stream, ours ({label}) >= 0.95x the raw engine | {tps(s, 1)} vs {tps(RAW, 1)} tok/s | "
                         f"{ratio(tps(s, 1), tps(RAW, 1))} |")
    for label, s in [("gRPC", GRPC), ("REST", REST)]:
        lines.append(f"| 8 streams >= 3x our own 1-stream figure ({label}) | {tps(s, 8)} vs {tps(s, 1)} tok/s | "
                     f"{ratio(tps(s, 8), tps(s, 1))} |")
        lines.append(f"| 8 streams >= 2x llama-cpp-python's server ({label}) | {tps(s, 8)} vs {tps(PEER, 8)} tok/s | "
                     f"{ratio(tps(s, 8), tps(PEER, 8))} |")
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    for s in systems:
        xs = [c for c in levels if (s, c) in by]
        a.plot(xs, [by[(s, c)]["tokens_per_s"] for c in xs], marker="o", label=s)
        b.plot(xs, [by[(s, c)]["ttft_ms_p50"] for c in xs], marker="o", label=s)
    for ax in (a, b):
        ax.set_xscale("log", base=2)
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.set_xlabel("concurrent streams")
        ax.grid(True, alpha=0.3)
    a.set_ylabel("generated tokens/s (all streams)")
    a.set_title("Aggregate throughput")
    b.set_ylabel("time to first token, p50 (ms)")
    b.set_yscale("log")
    b.set_title("Time to first token")
    a.legend(fontsize=8)
    fig.suptitle("SmolLM2-135M Q4_1, 2 CPU threads, 64 greedy tokens per request")
    fig.tight_layout()
    fig.savefig(args.out + ".png", dpi=110)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
