#!/usr/bin/env python3
"""Open-loop load generator of bench/rag/run.sh: the same questions, in the same order, at the same arrival times,
for our orchestrator and for the Ray Serve peer (both answer POST /v1/rag/query {"question", "top_k"} with
"timings": {"embed_ms", "search_ms", "generate_ms", "total_ms"}).

Open loop: requests are sent at planned times (Poisson arrivals from a seeded generator, or evenly spaced),
whether or not earlier ones have answered, so the latency at a fixed rate includes the time spent queueing in
the server (a closed loop of N users would slow down with the server and hide that). The schedule of each rate
depends only on --seed and the rate, so both systems get identical ones.

Per level (one rate for --duration seconds) it prints one JSON line: offered and achieved throughput
(completed answers over the time from the first send to the last answer), errors, client latency p50/p90/p99
(over every request sent: a failed one counts as taking at least --timeout),
the server's stage times, and the orchestration overhead two ways:
  overhead_server_ms  total_ms - (embed_ms + search_ms + generate_ms), inside the orchestrator / ingress
  overhead_e2e_ms     client latency - (embed_ms + search_ms + generate_ms): also the HTTP ingress (for Ray:
                      its proxy actor forwarding to the ingress replica), JSON, the client itself
plus retrieval quality (hit@k: a passage of the question's FOLDOC entry among those returned) and the answers'
mean length, so equal work can be checked.

Modes (both may be given; fixed rates run first):
  --rates 0.5,1.0           fixed rates (requests/s)
  --sweep                   rates from --sweep-start, times --sweep-factor until a level's p99 exceeds the
                            largest of --p99-limits-ms (or errors exceed 1%), then
                            --refine bisection steps between the last passing and the first failing rate; the
                            last line (kind "sweep_summary") names, per p99 limit, the highest passing rate and
                            the throughput achieved there

  load.py --url http://127.0.0.1:18484 --label ours --questions questions.json --rates 0.5,1 --sweep
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time

import httpx
import numpy as np

STAGES = ("embed_ms", "search_ms", "generate_ms")


def pct(xs, q):
    return round(float(np.percentile(np.array(xs, dtype=float), q)), 2) if xs else None


def cpu_snapshot(roots):
    """(busy CPU seconds of the whole machine, CPU seconds of the system under test and this client): the
    processes started from the root pids (their descendants or their sessions) and this one."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / tick
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(pid)] = (int(fields[1]), int(fields[3]), int(fields[11]) + int(fields[12]))
    own = 0
    for pid, (ppid, session, ticks) in procs.items():
        p, mine = pid, pid == os.getpid() or session in roots
        while not mine and p in procs and p > 1:
            mine = p in roots
            p = procs[p][0]
        if mine:
            own += ticks
    return busy, own / tick


def schedule(rate, duration, seed, arrivals):
    """Send offsets (s) for one level: Poisson or evenly spaced, the same for every system."""
    if arrivals == "uniform":
        n = max(1, int(round(rate * duration)))
        return [i / rate for i in range(n)]
    rng = random.Random(f"{seed}:{rate:.6f}")
    out, t = [], rng.expovariate(rate)
    while t < duration:
        out.append(t)
        t += rng.expovariate(rate)
    return out or [0.0]


class Target:
    def __init__(self, url, top_k, timeout):
        self.url = url.rstrip("/") + "/v1/rag/query"
        self.top_k = top_k
        self.client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=1024,
                                                                           max_keepalive_connections=1024))

    async def ask(self, question):
        t0 = time.perf_counter()
        try:
            r = await self.client.post(self.url, json={"question": question["question"], "top_k": self.top_k})
            latency = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                return {"ok": False, "latency_ms": latency, "error": f"HTTP {r.status_code}: {r.text[:200]}"}
            body = r.json()
        except (httpx.HTTPError, ValueError) as e:
            return {"ok": False, "latency_ms": (time.perf_counter() - t0) * 1000,
                    "error": f"{type(e).__name__}: {e}"[:200]}
        ids = [p.get("document_id") for p in body.get("passages", [])]
        out = {"ok": True, "latency_ms": latency, "timings": body.get("timings", {}),
               "hit": any(i in question["relevant"] for i in ids), "answer_chars": len(body.get("answer", "")),
               "passages": ids}
        if "usage" in body:  # ours: the answer's token counts
            out["completion_tokens"] = body["usage"].get("completion_tokens")
            out["prompt_tokens"] = body["usage"].get("prompt_tokens")
        if "generation" in body:  # the Ray peer also reports what llama.cpp did
            out["completion_tokens"] = body["generation"].get("completion_tokens")
            out["prompt_tokens"] = body["generation"].get("prompt_tokens")
            out["generate_compute_ms"] = body["generation"].get("compute_ms")
        return out

    async def close(self):
        await self.client.aclose()


class Questions:
    """All systems get the questions in one order: request n of a run asks question n mod len."""

    def __init__(self, questions):
        self.questions = questions
        self.n = 0

    def next(self):
        q = self.questions[self.n % len(self.questions)]
        self.n += 1
        return q


async def level(target, questions, rate, duration, seed, arrivals, raw, sessions, timeout_ms):
    offsets = schedule(rate, duration, seed, arrivals)
    cpu0 = cpu_snapshot(sessions)
    results, lags = [], []

    async def one(offset, question, t0):
        delay = t0 + offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append((time.perf_counter() - t0 - offset) * 1000)
        r = await target.ask(question)
        r["sent_s"] = offset
        r["done_s"] = time.perf_counter() - t0
        results.append(r)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(o, questions.next(), t0) for o in offsets))
    cpu1 = cpu_snapshot(sessions)
    ok = [r for r in results if r["ok"]]
    errors = [r for r in results if not r["ok"]]
    span = max(r["done_s"] for r in results) if results else duration
    # A failed request counts as at least the client timeout: percentiles over all sent requests, so a level
    # that loses requests cannot look fast.
    lat = [r["latency_ms"] if r["ok"] else max(r["latency_ms"], timeout_ms) for r in results]
    stage_sum = [sum(r["timings"].get(s, 0) for s in STAGES) for r in ok]
    out = {"offered_rps": round(rate, 4), "duration_s": duration, "sent": len(results),
           "sent_rps": round(len(results) / duration, 3), "completed": len(ok),
           "errors": len(errors), "error_rate": round(len(errors) / max(1, len(results)), 4),
           "achieved_rps": round(len(ok) / span, 3) if span > 0 else None,
           "wall_s": round(span, 2),
           "latency_ms_p50": pct(lat, 50), "latency_ms_p90": pct(lat, 90), "latency_ms_p99": pct(lat, 99),
           "latency_ms_mean": round(statistics.fmean(lat), 2) if lat else None,
           "send_lag_ms_p99": pct(lags, 99),
           # CPU the machine spent on anything but the system under test and this client (another user's build):
           # in CPU-seconds per second of the level (2.0 = both cores taken from us).
           "foreign_cpus": round(((cpu1[0] - cpu0[0]) - (cpu1[1] - cpu0[1])) / span, 2) if span > 0 else None,
           "system_cpus": round((cpu1[1] - cpu0[1]) / span, 2) if span > 0 else None}
    for s in STAGES + ("total_ms",):
        xs = [r["timings"][s] for r in ok if s in r["timings"]]
        out[f"{s[:-3]}_ms_p50"] = pct(xs, 50)
        out[f"{s[:-3]}_ms_p99"] = pct(xs, 99)
    over_server = [r["timings"]["total_ms"] - s for r, s in zip(ok, stage_sum) if "total_ms" in r["timings"]]
    over_e2e = [r["latency_ms"] - s for r, s in zip(ok, stage_sum)]
    out.update({"overhead_server_ms_p50": pct(over_server, 50), "overhead_server_ms_p99": pct(over_server, 99),
                "overhead_e2e_ms_p50": pct(over_e2e, 50), "overhead_e2e_ms_p99": pct(over_e2e, 99),
                "hit_at_k": round(sum(r["hit"] for r in ok) / len(ok), 3) if ok else None,
                "answer_chars_mean": round(statistics.fmean(r["answer_chars"] for r in ok), 1) if ok else None})
    tokens = [r["completion_tokens"] for r in ok if r.get("completion_tokens") is not None]
    if tokens:
        out["completion_tokens_mean"] = round(statistics.fmean(tokens), 1)
        out["prompt_tokens_mean"] = round(statistics.fmean(r["prompt_tokens"] for r in ok), 1)
        compute = [r["generate_compute_ms"] for r in ok if r.get("generate_compute_ms") is not None]
        if compute:  # the Ray peer only
            out["generate_compute_ms_p50"] = pct(compute, 50)
    if errors:
        out["first_error"] = errors[0]["error"]
    if raw:
        for r in results:
            raw.write(json.dumps({"offered_rps": rate, **r}) + "\n")
    return out


async def quiesce(target, questions, baseline_ms, budget_s=90):
    """After a level: sequential probes until one answers within 2x the idle latency (the server's queue has
    drained, including work for requests the client gave up on)."""
    deadline = time.perf_counter() + budget_s
    while time.perf_counter() < deadline:
        r = await target.ask(questions.questions[0])
        if r["ok"] and r["latency_ms"] < 2 * baseline_ms:
            return
        await asyncio.sleep(1)


def passes(row, limit_ms):
    return row["latency_ms_p99"] is not None and row["latency_ms_p99"] <= limit_ms and row["error_rate"] <= 0.01


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="base URL (POST URL/v1/rag/query)")
    ap.add_argument("--label", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--top-k", type=int, default=4)
    ap.add_argument("--rates", default="", help="fixed rates, requests/s, comma-separated")
    ap.add_argument("--duration", type=float, default=60, help="seconds per level")
    ap.add_argument("--warmup", type=int, default=8, help="sequential requests before measuring")
    ap.add_argument("--arrivals", choices=["poisson", "uniform"], default="poisson")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as an error")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--sweep-start", type=float, default=0.5)
    ap.add_argument("--sweep-factor", type=float, default=1.3)
    ap.add_argument("--sweep-max-steps", type=int, default=10)
    ap.add_argument("--refine", type=int, default=1, help="bisection steps after the first failing rate")
    ap.add_argument("--p99-limits-ms", default="2000,4000")
    ap.add_argument("--raw", help="file to append every request's result to (JSON lines)")
    ap.add_argument("--extra", default="{}", help="JSON object merged into every output line")
    ap.add_argument("--sessions", default="", help="pids of the system under test, comma-separated (for the CPU accounting)")
    args = ap.parse_args()
    questions = Questions(json.load(open(args.questions, encoding="utf-8")))
    limits = sorted(float(x) for x in args.p99_limits_ms.split(",") if x)
    extra = json.loads(args.extra)
    sessions = {int(x) for x in args.sessions.split(",") if x}
    raw = open(args.raw, "a", encoding="utf-8") if args.raw else None
    target = Target(args.url, args.top_k, args.timeout)

    def emit(row):
        row = {"system": args.label, **extra, **row}
        print(json.dumps(row), flush=True)
        if row.get("kind") != "sweep_summary":
            print(f"{args.label} [{row['kind']}] {row['offered_rps']} rps offered: {row['achieved_rps']} achieved, "
                  f"p50 {row['latency_ms_p50']} ms, p99 {row['latency_ms_p99']} ms, errors {row['errors']}, "
                  f"overhead p50 {row['overhead_server_ms_p50']} ms (server) / {row['overhead_e2e_ms_p50']} ms "
                  f"(end to end)", file=sys.stderr, flush=True)
        return row

    try:
        warm = []
        for i in range(max(1, args.warmup)):
            r = await target.ask(questions.questions[(i * 7) % len(questions.questions)])
            if not r["ok"]:
                sys.exit(f"{args.label}: warm-up request failed: {r['error']}")
            warm.append(r["latency_ms"])
        baseline = statistics.median(warm[len(warm) // 2:])
        print(f"{args.label}: idle latency after warm-up {baseline:.0f} ms", file=sys.stderr, flush=True)

        async def run(rate, kind):
            questions.n = 0  # every level starts at question 0, for every system
            row = await level(target, questions, rate, args.duration, args.seed, args.arrivals, raw, sessions,
                              args.timeout * 1000)
            await quiesce(target, questions, baseline)
            return emit({"kind": kind, "idle_latency_ms": round(baseline, 1), **row})

        for rate in [float(x) for x in args.rates.split(",") if x]:
            await run(rate, "fixed")
        if args.sweep:
            rows, rate, failed = [], args.sweep_start, None
            for _ in range(args.sweep_max_steps):
                row = await run(rate, "sweep")
                rows.append(row)
                if not passes(row, limits[-1]):
                    failed = rate
                    break
                rate *= args.sweep_factor
            if failed is not None:
                good = [r["offered_rps"] for r in rows if passes(r, limits[-1])]
                low = max(good) if good else 0.0
                for _ in range(args.refine):
                    if low == 0.0:
                        break
                    mid = (low + failed) / 2
                    row = await run(mid, "sweep")
                    rows.append(row)
                    if passes(row, limits[-1]):
                        low = mid
                    else:
                        failed = mid
            summary = {}
            for limit in limits:
                ok = [r for r in rows if passes(r, limit)]
                best = max(ok, key=lambda r: r["offered_rps"]) if ok else None
                summary[str(int(limit))] = None if best is None else {
                    "offered_rps": best["offered_rps"], "achieved_rps": best["achieved_rps"],
                    "latency_ms_p50": best["latency_ms_p50"], "latency_ms_p99": best["latency_ms_p99"]}
            emit({"kind": "sweep_summary", "p99_limits": summary, "first_failing_rps": failed,
                  "levels": len(rows)})
    finally:
        await target.close()
        if raw:
            raw.close()


if __name__ == "__main__":
    asyncio.run(main())
