#!/usr/bin/env python3
"""Builds the vector search benchmark's corpus: real English passages, chunked, with a labelled set.

Sources (all from Debian packages; their licences allow this use):
  - FOLDOC, the Free On-line Dictionary of Computing (dict-foldoc, GFDL): each entry's definition, without
    its headword, split into chunks of whole sentences of at most --chunk-words words;
  - the Debian Administrator's Handbook (debian-handbook, GPL-2+ / CC-BY-SA), English HTML: paragraphs
    chunked the same way;
  - GCIDE, the Collaborative International Dictionary of English (dict-gcide, GPL), to reach --total
    chunks: one chunk per definition block.

Outputs, in --out:
  chunks.jsonl   {"id", "doc", "source", "text"} per chunk, in a fixed pseudo-random order
  labels.jsonl   retrieval-quality set: {"query": FOLDOC term, "relevant": [chunk ids of its definition]}
                 for --labels terms (headwords of 3+ letters whose definition made 1-3 chunks; a term that
                 is also a headword elsewhere or appears verbatim in no chunk is still kept: the term is the
                 question, its definition is the answer, which is how a user asks "what is X")

Stdlib only. Usage: corpus.py --foldoc DIR --handbook DIR --gcide DIR --out DIR [--total 101000]
"""
import argparse
import gzip
import hashlib
import html.parser
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# FOLDOC loading and sentence splitting are the embedding benchmark's (bench/embedding/make_sentences.py).
sys.path.insert(0, os.path.join(HERE, "..", "embedding"))
from make_sentences import SPLIT, TAGS, foldoc_entries  # noqa: E402

SPACES = re.compile(r"\s+")


def chunks_of(paragraph, max_words):
    """Whole sentences packed into chunks of at most max_words words (a longer sentence is cut)."""
    out, cur, n = [], [], 0
    for sentence in SPLIT.split(paragraph):
        words = sentence.split()
        if not words:
            continue
        if len(words) > max_words:
            words = words[:max_words]
        if cur and n + len(words) > max_words:
            out.append(" ".join(cur))
            cur, n = [], 0
        cur.extend(words)
        n += len(words)
    if cur:
        out.append(" ".join(cur))
    return [c for c in out if len(c.split()) >= 4]


def foldoc(dict_dir, max_words):
    for title, body in foldoc_entries(dict_dir):
        texts = []
        for paragraph in body.split("\n\n"):
            if "\n" in paragraph or "http" in paragraph:  # code, tables, link lists
                continue
            texts.extend(chunks_of(TAGS.sub("", paragraph).strip(), max_words))
        if texts:
            yield title, texts


class _Paragraphs(html.parser.HTMLParser):
    """Text of the handbook's paragraphs: DocBook renders them as <div class="para"> (and a few <p>)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.cur = []
        self.paragraphs = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag == "div":
                self.depth += 1
        elif tag == "p" or tag == "div" and ("class", "para") in attrs:
            self.depth = 1
            self.tag = tag

    def handle_endtag(self, tag):
        if self.depth and (tag == "div" or tag == self.tag == "p"):
            self.depth -= 1
            if not self.depth:
                self.paragraphs.append(SPACES.sub(" ", "".join(self.cur)).strip())
                self.cur = []

    def handle_data(self, data):
        if self.depth:
            self.cur.append(data)


def handbook(html_dir, max_words):
    for name in sorted(os.listdir(html_dir)):
        if not name.endswith(".html"):
            continue
        parser = _Paragraphs()
        with open(os.path.join(html_dir, name), encoding="utf-8") as f:
            parser.feed(f.read())
        for i, paragraph in enumerate(parser.paragraphs):
            texts = chunks_of(paragraph, max_words)
            if texts:
                yield f"{name}#{i}", texts


def gcide(dict_dir, max_words):
    with gzip.open(os.path.join(dict_dir, "gcide.dict.dz"), "rb") as f:
        data = f.read().decode("utf-8", "replace")
    for n, block in enumerate(data.split("\n\n")):
        text = block.replace("[1913 Webster]", " ").replace("[PJC]", " ")
        text = re.sub(r"\\[^\\]*\\", " ", text)  # pronunciation \A*buse"\
        text = re.sub(r"[{}]", "", text)
        text = re.sub(r"\[[^\]]*\]", " ", text)  # etymology and source notes
        text = SPACES.sub(" ", text).strip()
        words = text.split()
        letters = sum(c.isalpha() or c == " " for c in text)
        if 6 <= len(words) and letters >= 0.85 * len(text) and not text.startswith("00-"):
            yield f"gcide-{n}", [" ".join(words[:max_words])]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--foldoc", required=True, help="folder with foldoc.index and foldoc.dict.dz")
    ap.add_argument("--handbook", required=True, help="folder with the handbook's English HTML files")
    ap.add_argument("--gcide", required=True, help="folder with gcide.dict.dz")
    ap.add_argument("--out", required=True)
    ap.add_argument("--total", type=int, default=101_000)
    ap.add_argument("--chunk-words", type=int, default=48)
    ap.add_argument("--labels", type=int, default=500)
    args = ap.parse_args()

    chunks, labels, seen = [], [], set()

    def add(source, doc, texts):
        ids = []
        for i, text in enumerate(texts):
            if text in seen:
                continue
            seen.add(text)
            cid = f"{source}:{len(chunks)}"
            chunks.append({"id": cid, "doc": f"{source}:{doc}", "source": source, "text": text})
            ids.append(cid)
        return ids

    terms = []
    for title, texts in foldoc(args.foldoc, args.chunk_words):
        ids = add("foldoc", title, texts)
        if 1 <= len(ids) <= 3 and len(title) >= 3 and any(c.isalpha() for c in title):
            terms.append({"query": title, "relevant": ids})
    counts = {"foldoc": len(chunks)}
    for doc, texts in handbook(args.handbook, args.chunk_words):
        add("handbook", doc, texts)
    counts["handbook"] = len(chunks) - counts["foldoc"]
    for doc, texts in gcide(args.gcide, args.chunk_words):
        if len(chunks) >= args.total:
            break
        add("gcide", doc, texts)
    counts["gcide"] = len(chunks) - counts["foldoc"] - counts["handbook"]
    if len(chunks) < args.total:
        print(f"only {len(chunks)} chunks, {args.total} wanted", file=sys.stderr)
        return 1

    def order(key):
        return hashlib.sha1(key.encode("utf-8")).hexdigest()

    chunks.sort(key=lambda c: order(c["id"]))
    terms.sort(key=lambda t: order(t["query"]))
    labels = terms[:args.labels]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "chunks.jsonl"), "w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for t in labels:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    words = sum(len(c["text"].split()) for c in chunks) / len(chunks)
    print(f"{len(chunks)} chunks ({counts}, {words:.1f} words on average), {len(labels)} labelled terms "
          f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
