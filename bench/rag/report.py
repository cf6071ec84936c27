#!/usr/bin/env python3
"""Turns bench/rag/run.sh's JSON lines into a Markdown report (tables, the issue's goals with ratios ours/Ray
from the same run) and a plot.

Usage: report.py RESULTS.jsonl --out PREFIX   (writes PREFIX.md and PREFIX.png)
"""
import argparse
import json
import platform

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OURS = "ours"
RAY = "Ray Serve"


def f(x, digits=0):
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}x" if a and b else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    config = next((r for r in rows if r["kind"] == "config"), {})
    levels = [r for r in rows if r["kind"] in ("fixed", "sweep")]
    fixed = {(r["system"], r["offered_rps"]): r for r in levels if r["kind"] == "fixed"}
    summary = {r["system"]: r for r in rows if r["kind"] == "sweep_summary"}
    ingest = {r["system"]: r for r in rows if r["kind"] == "ingest"}
    systems = [s for s in (OURS, RAY) if any(r["system"] == s for r in levels)]
    rates = sorted({r for _, r in fixed})

    threads_text = (f"{config.get('threads')} llama.cpp threads" if config.get("threads")
                    else "each system's default llama.cpp threads (here 1 decode, 2 prompt)")
    lines = ["# RAG race: our services vs the same pipeline on Ray Serve", "",
             f"Machine: {config.get('cpus')} CPUs, {config.get('machine', platform.machine())}. "
             f"{config.get('passages')} FOLDOC passages, {config.get('questions')} questions, top_k "
             f"{config.get('top_k')}, {config.get('model')}, "
             f"{threads_text}, "
             f"{config.get('max_tokens')} tokens per answer at most; ours with "
             f"{config.get('slots') or 'its default'} generation slots, Ray Serve with one llama.cpp replica. Open loop, Poisson arrivals, "
             f"{config.get('duration_s')} s per level. Command: `bench/rag/run.sh"
             f"{' --quick' if config.get('quick') else ''}`.", ""]
    if config.get("quick"):
        lines += ["**Quick run** (`--quick`): 15 s levels, a handful of requests per rate; p99 is close to the "
                  "maximum and the numbers only show that the harness works.", ""]
    if config.get("busy_cpus_before", 0) > 0.2:
        lines += [f"Before the run, other processes kept {config['busy_cpus_before']:.2f} CPUs busy.", ""]
    foreign = [r.get("foreign_cpus") or 0 for r in levels]
    if foreign and max(foreign) > 0.2:
        lines += [f"**The machine was not ours alone**: other processes took up to {max(foreign):.2f} of the "
                  f"{config.get('cpus')} CPUs during a level (column \"other CPUs\"); levels with a large value "
                  "are slowed by that, not by the system under test.", ""]

    lines += ["## Latency at fixed rates", "",
              "| rate (req/s) | system | achieved req/s | p50 ms | p90 ms | p99 ms | errors | embed p50 ms | "
              "search p50 ms | generate p50 ms | overhead p50 / p99 ms (in server) | overhead p50 / p99 ms "
              "(end to end) | hit@k | answer chars | other CPUs |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for rate in rates:
        for s in systems:
            r = fixed.get((s, rate))
            if r:
                lines.append(
                    f"| {rate:g} | {s} | {f(r['achieved_rps'], 2)} | {f(r['latency_ms_p50'])} | "
                    f"{f(r['latency_ms_p90'])} | {f(r['latency_ms_p99'])} | {r['errors']}/{r['sent']} | "
                    f"{f(r['embed_ms_p50'], 1)} | {f(r['search_ms_p50'], 1)} | {f(r['generate_ms_p50'])} | "
                    f"{f(r['overhead_server_ms_p50'], 2)} / {f(r['overhead_server_ms_p99'], 2)} | "
                    f"{f(r['overhead_e2e_ms_p50'], 1)} / {f(r['overhead_e2e_ms_p99'], 1)} | "
                    f"{f(r['hit_at_k'], 2)} | {f(r['answer_chars_mean'])} | {f(r.get('foreign_cpus'), 2)} |")
        a, b = fixed.get((OURS, rate)), fixed.get((RAY, rate))
        if a and b:
            lines.append(f"| {rate:g} | ours / Ray | {ratio(a['achieved_rps'], b['achieved_rps'])} | "
                         f"{ratio(a['latency_ms_p50'], b['latency_ms_p50'])} | "
                         f"{ratio(a['latency_ms_p90'], b['latency_ms_p90'])} | "
                         f"{ratio(a['latency_ms_p99'], b['latency_ms_p99'])} | | | | | | | | | |")

    lines += ["", "## Rate sweep (every level)", "",
              "| system | offered req/s | achieved req/s | p50 ms | p99 ms | errors | overhead p50 ms (in server / "
              "end to end) | other CPUs |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in systems:
        for r in sorted((r for r in levels if r["system"] == s and r["kind"] == "sweep"),
                        key=lambda r: r["offered_rps"]):
            lines.append(f"| {s} | {r['offered_rps']:.3g} | {f(r['achieved_rps'], 2)} | {f(r['latency_ms_p50'])} | "
                         f"{f(r['latency_ms_p99'])} | {r['errors']}/{r['sent']} | "
                         f"{f(r['overhead_server_ms_p50'], 2)} / {f(r['overhead_e2e_ms_p50'], 1)} | "
                         f"{f(r.get('foreign_cpus'), 2)} |")

    limits = sorted({int(k) for s in summary.values() for k in s["p99_limits"]})
    lines += ["", "## Throughput at a p99 limit", "",
              "The highest swept rate whose p99 stayed under the limit with at most 1% errors, and the answers "
              "per second achieved there.", "",
              "| p99 limit | ours: rate / achieved req/s (p99 ms) | Ray Serve: rate / achieved req/s (p99 ms) | "
              "ours / Ray |", "|---:|---:|---:|---:|"]

    def best(system, limit):
        s = summary.get(system)
        return s["p99_limits"].get(str(limit)) if s else None

    for limit in limits:
        a, b = best(OURS, limit), best(RAY, limit)
        def cell(x, system):
            if not x:
                return "none passed"
            # The sweep stopped at its last step without a failing level: the system can do more than this.
            more = ">= " if summary[system].get("first_failing_rps") is None else ""
            return f"{more}{x['offered_rps']:.3g} / {x['achieved_rps']:.2f} ({x['latency_ms_p99']:,.0f})"
        lines.append(f"| {limit:,} ms | {cell(a, OURS)} | {cell(b, RAY)} | "
                     f"{ratio(a and a['achieved_rps'], b and b['achieved_rps'])} |")

    lines += ["", "## The issue's goals, from this run", "", "| goal | measured | met? |", "|---|---|---|"]
    for limit in limits:
        a, b = best(OURS, limit), best(RAY, limit)
        if a and b:
            q = a["achieved_rps"] / b["achieved_rps"]
            lines.append(f"| >= 1.5x Ray Serve's throughput at p99 <= {limit:,} ms | {a['achieved_rps']:.2f} vs "
                         f"{b['achieved_rps']:.2f} req/s = {q:.2f}x | {'yes' if q >= 1.5 else 'no'} |")
        else:
            lines.append(f"| >= 1.5x Ray Serve's throughput at p99 <= {limit:,} ms | a system passed no level | n/a |")
    ours_fixed = [fixed[(OURS, r)] for r in rates if (OURS, r) in fixed]
    if ours_fixed:
        low = ours_fixed[0]
        worst_server = max(r["overhead_server_ms_p50"] for r in ours_fixed if r["overhead_server_ms_p50"] is not None)
        worst_e2e = max(r["overhead_e2e_ms_p50"] for r in ours_fixed if r["overhead_e2e_ms_p50"] is not None)
        ray_low = fixed.get((RAY, rates[0]))
        lines.append(f"| orchestration overhead <= 2 ms p50, in the orchestrator (total_ms - stage times) | "
                     f"{low['overhead_server_ms_p50']:.2f} ms at {rates[0]:g} req/s, at most "
                     f"{worst_server:.2f} ms over the fixed rates (Ray Serve's ingress: "
                     f"{f(ray_low and ray_low['overhead_server_ms_p50'], 2)} ms) | "
                     f"{'yes' if worst_server <= 2 else 'no'} |")
        lines.append(f"| the same, end to end (client latency - stage times: + HTTP, JSON, the client) | "
                     f"{low['overhead_e2e_ms_p50']:.1f} ms at {rates[0]:g} req/s, at most {worst_e2e:.1f} ms "
                     f"(Ray Serve: {f(ray_low and ray_low['overhead_e2e_ms_p50'], 1)} ms) | "
                     f"{'yes' if worst_e2e <= 2 else 'no'} |")
    lines += ["", "Ingestion (not part of the race): " + "; ".join(
        f"{s} {r['passages']} passages in {r['seconds']:.1f} s" for s, r in ingest.items()) + "."]
    batches = next((r for r in rows if r["kind"] == "embedder_batches"), None)
    if batches and batches.get("mean_batch"):
        lines.append(f"Ray Serve's @serve.batch embedder ran {batches['batches']} batches of "
                     f"{batches['mean_batch']:.2f} questions on average (of its last 1,000).")
    for s in systems:
        tokens = [r for r in levels if r["system"] == s and r.get("completion_tokens_mean")]
        if tokens:
            lines.append(f"{s}'s answers at {tokens[0]['offered_rps']:g} req/s: {tokens[0]['completion_tokens_mean']:.1f} "
                         f"tokens on average (prompt {tokens[0]['prompt_tokens_mean']:.0f} tokens).")
    with open(args.out + ".md", "w") as fh:
        fh.write("\n".join(lines) + "\n")

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = {OURS: "tab:blue", RAY: "tab:orange"}
    for s in systems:
        pts = sorted(((r["offered_rps"], r) for r in levels if r["system"] == s), key=lambda x: x[0])
        xs = [x for x, _ in pts]
        a.plot(xs, [r["latency_ms_p50"] for _, r in pts], marker="o", color=colors[s], label=f"{s} p50")
        a.plot(xs, [r["latency_ms_p99"] for _, r in pts], marker="^", ls="--", color=colors[s], label=f"{s} p99")
        b.plot(xs, [r["achieved_rps"] for _, r in pts], marker="o", color=colors[s], label=s)
    for limit in limits:
        a.axhline(limit, color="grey", lw=0.8, ls=":")
    a.set_yscale("log")
    a.set_xlabel("offered rate (requests/s)")
    a.set_ylabel("client latency (ms)")
    a.set_title("Latency vs offered load")
    a.legend(fontsize=8)
    top = max([r["offered_rps"] for r in levels] + [1])
    b.plot([0, top], [0, top], color="grey", lw=0.8, ls=":")
    b.set_xlabel("offered rate (requests/s)")
    b.set_ylabel("answers/s")
    b.set_title("Achieved throughput")
    b.legend(fontsize=8)
    for ax in (a, b):
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"RAG query (embed, search, generate {config.get('max_tokens')} tokens), "
                 f"{config.get('cpus')} CPUs")
    fig.tight_layout()
    fig.savefig(args.out + ".png", dpi=110)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
