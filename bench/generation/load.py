"""Streaming load generator for bench/generation: C concurrent streams, each sending requests back to back.

Targets (same prompts, greedy, same max_tokens for all):
  openai URL  POST URL/chat/completions with "stream": true (OpenAI SSE): llama-cpp-python's server, and our
              service's OpenAI-compatible endpoint (the same client code for both)
  grpc HOST   our service's rag.v1.GenerationService/GenerateStream (stubs compiled from rag-api at start-up)

Per request it records the time to the first token and every gap between two streamed pieces; per concurrency
level the aggregate generated tokens per second over the level's wall time. One JSON line per level on stdout.

  load.py --target openai --url http://127.0.0.1:18090/v1 --label llama-cpp-python --concurrency 1,2,4,8,16
"""
import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def grpc_stubs():
    """Compiles rag-api's generation proto into a temporary package and imports it."""
    from grpc_tools import protoc
    import importlib.resources

    out = Path(tempfile.mkdtemp(prefix="rag-bench-proto-"))
    proto_root = ROOT / "rag-api" / "src" / "main" / "proto"
    include = str(importlib.resources.files("grpc_tools") / "_proto")
    for f in ["rag/v1/common.proto", "rag/v1/generation_service.proto"]:
        rc = protoc.main(["protoc", f"-I{proto_root}", f"-I{include}", f"--python_out={out}",
                          f"--grpc_python_out={out}", str(proto_root / f)])
        if rc != 0:
            sys.exit(f"protoc failed for {f}")
    sys.path.insert(0, str(out))
    from rag.v1 import generation_service_pb2, generation_service_pb2_grpc  # noqa: E402
    return generation_service_pb2, generation_service_pb2_grpc


class OpenAiStream:
    def __init__(self, url: str, model: str, max_tokens: int):
        import httpx
        self.client = httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=64))
        self.url = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.max_tokens = max_tokens

    async def run(self, prompt: str, on_piece) -> None:
        body = {"model": self.model, "messages": [{"role": "user", "content": prompt}], "stream": True,
                "max_tokens": self.max_tokens, "temperature": 0, "seed": 1}
        async with self.client.stream("POST", self.url, json=body) as r:
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}: {await r.aread()}")
            async for line in r.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                event = json.loads(line[6:])
                if "error" in event:
                    raise RuntimeError(str(event["error"]))
                for choice in event.get("choices", []):
                    if choice.get("delta", {}).get("content"):
                        on_piece()

    async def close(self):
        await self.client.aclose()


class GrpcStream:
    def __init__(self, target: str, model: str, max_tokens: int):
        import grpc
        self.pb, stubs = grpc_stubs()
        self.channel = grpc.aio.insecure_channel(target)
        self.stub = stubs.GenerationServiceStub(self.channel)
        self.model = model
        self.max_tokens = max_tokens

    async def run(self, prompt: str, on_piece) -> None:
        pb = self.pb
        request = pb.GenerateRequest(model=self.model, messages=[pb.ChatMessage(role="user", content=prompt)],
                                     sampling=pb.SamplingParams(max_tokens=self.max_tokens, temperature=0, seed=1))
        async for chunk in self.stub.GenerateStream(request):
            if chunk.text_delta:
                on_piece()

    async def close(self):
        await self.channel.close()


REQUESTS = [0]


def unique(prompt: str) -> str:
    """Each request's prompt is new to the server, so no system answers from a whole-prompt cache."""
    REQUESTS[0] += 1
    return f"{prompt} (Request {REQUESTS[0]}.)"


async def level(client, prompts: list[str], concurrency: int, per_stream: int) -> dict:
    ttft, gaps, tokens = [], [], [0]

    async def one(prompt: str):
        start = time.perf_counter()
        last = [None]

        def on_piece():
            now = time.perf_counter()
            if last[0] is None:
                ttft.append(now - start)
            else:
                gaps.append(now - last[0])
            last[0] = now
            tokens[0] += 1

        await client.run(prompt, on_piece)

    async def stream(i: int):
        for k in range(per_stream):
            await one(unique(prompts[(i * per_stream + k) % len(prompts)]))

    t0 = time.perf_counter()
    await asyncio.gather(*(stream(i) for i in range(concurrency)))
    wall = time.perf_counter() - t0
    pct = lambda xs, q: float(np.percentile(np.array(xs) * 1000, q)) if xs else None  # noqa: E731
    return {"concurrency": concurrency, "requests": concurrency * per_stream, "tokens": tokens[0],
            "wall_s": round(wall, 3), "tokens_per_s": round(tokens[0] / wall, 2),
            "ttft_ms_p50": pct(ttft, 50), "ttft_ms_p99": pct(ttft, 99),
            "itl_ms_p50": pct(gaps, 50), "itl_ms_p99": pct(gaps, 99)}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", choices=["openai", "grpc"], required=True)
    ap.add_argument("--url", required=True, help="OpenAI base URL (.../v1) or gRPC host:port")
    ap.add_argument("--label", required=True)
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--concurrency", default="1,2,4,8,16")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--per-stream", type=int, default=2, help="requests each stream sends, back to back")
    args = ap.parse_args()
    prompts = json.loads((HERE / "prompts.json").read_text())
    client = (OpenAiStream if args.target == "openai" else GrpcStream)(args.url, args.model, args.max_tokens)
    try:
        await level(client, ["Say hello."], 1, 1)  # warm-up
        for c in [int(x) for x in args.concurrency.split(",")]:
            result = await level(client, prompts, c, args.per_stream)
            result.update({"system": args.label, "max_tokens": args.max_tokens})
            print(json.dumps(result), flush=True)
            print(f"{args.label} c={c}: {result['tokens_per_s']} tok/s, TTFT p50 {result['ttft_ms_p50']:.0f} ms, "
                  f"ITL p50 {result['itl_ms_p50']:.1f} ms", file=sys.stderr)
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
