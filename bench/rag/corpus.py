#!/usr/bin/env python3
"""Builds the RAG race's corpus and questions from FOLDOC (Debian's dict-foldoc, GFDL), the same text the
other benchmarks use (FOLDOC loading and cleaning: samples/extract-foldoc.py via bench/embedding).

  passages.jsonl  {"id", "title", "text"} per passage: whole sentences of one entry's prose, packed into
                  passages of at most --max-chars characters (below our orchestrator's 600-character chunk
                  size, so its chunker keeps each passage whole: both systems store exactly these texts).
                  Entries are taken in a fixed pseudo-random order (SHA-1 of the headword) until --passages.
  questions.json  --questions questions "What is <headword>?" for headwords of 3+ letters whose entry made
                  1-3 passages, in a fixed pseudo-random order; each with the ids of its entry's passages.

The questions are committed (bench/rag/questions.json); --check verifies that the committed file is what this
corpus yields, so both are always the same set. Stdlib only.

  corpus.py --dict-dir DIR --out DIR [--passages 1500] [--questions 50] [--check bench/rag/questions.json]
"""
import argparse
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "embedding"))
from make_sentences import SPLIT, TAGS, foldoc_entries  # noqa: E402

SPACES = re.compile(r"\s+")
SLUG = re.compile(r"[^a-z0-9]+")


def pack(paragraph, max_chars):
    """Whole sentences packed into passages of at most max_chars characters (a longer sentence is dropped)."""
    out, cur = [], ""
    for sentence in SPLIT.split(paragraph):
        sentence = SPACES.sub(" ", sentence).strip()
        if not sentence or len(sentence) > max_chars:
            continue
        if cur and len(cur) + 1 + len(sentence) > max_chars:
            out.append(cur)
            cur = ""
        cur = f"{cur} {sentence}" if cur else sentence
    if cur:
        out.append(cur)
    return [p for p in out if len(p.split()) >= 6]


def entries(dict_dir, max_chars):
    seen = set()
    for title, body in foldoc_entries(dict_dir):
        title = SPACES.sub(" ", title).strip()
        if not title or title.lower() in seen:
            continue
        texts = []
        for paragraph in body.split("\n\n"):
            if "\n" in paragraph or "http" in paragraph:  # code, tables, link lists
                continue
            texts.extend(pack(TAGS.sub("", paragraph).strip(), max_chars))
        if texts:
            seen.add(title.lower())
            yield title, texts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dict-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--passages", type=int, default=1500)
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--max-chars", type=int, default=560)
    ap.add_argument("--check", help="committed questions.json that must equal the generated one")
    args = ap.parse_args()
    chosen = sorted(entries(args.dict_dir, args.max_chars),
                    key=lambda e: hashlib.sha1(e[0].lower().encode("utf-8")).hexdigest())
    passages, candidates, ids = [], [], set()
    for title, texts in chosen:
        if len(passages) >= args.passages:
            break
        slug = SLUG.sub("-", title.lower()).strip("-")[:150] or "entry"
        while slug in ids:
            slug += "-x"
        ids.add(slug)
        mine = []
        for i, text in enumerate(texts):
            pid = f"{slug}.{i}"
            passages.append({"id": pid, "title": title, "text": text})
            mine.append(pid)
        if 1 <= len(texts) <= 3 and len(title) >= 3 and title[0].isalnum() and sum(c.isalpha() for c in title) >= 3:
            candidates.append({"question": f"What is {title}?", "term": title, "relevant": mine})
    questions = sorted(candidates, key=lambda q: hashlib.sha1(q["term"].encode("utf-8")).hexdigest())
    questions = questions[:args.questions]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "passages.jsonl"), "w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    text = "[\n" + ",\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n]\n"
    with open(os.path.join(args.out, "questions.json"), "w", encoding="utf-8") as f:
        f.write(text)
    chars = sum(len(p["text"]) for p in passages)
    print(f"{len(passages)} passages ({chars / len(passages):.0f} characters on average, longest "
          f"{max(len(p['text']) for p in passages)}), {len(questions)} questions -> {args.out}", file=sys.stderr)
    if args.check:
        if not os.path.exists(args.check):
            print(f"{args.check} does not exist; copy {args.out}/questions.json there", file=sys.stderr)
            return 1
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{args.check} differs from the questions this corpus yields ({args.out}/questions.json)",
                      file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
