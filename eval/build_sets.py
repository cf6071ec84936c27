#!/usr/bin/env python3
"""Builds the retrieval evaluation's three development sets from corpora that Debian packages carry.

Each set is a document collection and questions whose answer document is known:

  foldoc    FOLDOC (dict-foldoc, GFDL): one document per entry (its prose, headword as title);
            question "What is <headword>?". Semantic: the definition rarely repeats the headword.
  handbook  The Debian Administrator's Handbook (debian-handbook, GPL-2+/CC-BY-SA), English HTML: one document
            per (sub)section (its paragraphs, heading as title); question "<heading> (<chapter section>)".
            Topical: the words of a heading are spread over its section.
  gcide     GCIDE (dict-gcide, GPL): one document per headword (its cleaned entry); question "What does the
            word <headword> mean?". Lexical: the entry holds the word, its meaning needs the definition.

Each set's documents are its question documents plus as many distractors from the same source (so that a
set is not solved by its size); documents carry metadata {"set": NAME}, so one collection holds all three
and a query filter picks its set. Questions are split by a hash of their text into a development half (used
to choose the fusion and weights) and a test half (only reported, never tuned on): the .dev.jsonl and
.test.jsonl files.

Outputs: --out/documents.jsonl ({"id", "title", "text", "metadata"}), --sets/NAME.{dev,test}.jsonl
({"question", "relevant": [document ids], "answer": reference answer or absent}). Stdlib only; deterministic.

  build_sets.py --debs DIR --out DIR --sets eval/sets [--questions 200] [--distractors 600]
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
sys.path.insert(0, os.path.join(HERE, "..", "bench", "embedding"))
from make_sentences import foldoc_entries, foldoc_module  # noqa: E402

SPACES = re.compile(r"\s+")
SLUG = re.compile(r"[^a-z0-9]+")


def order(key):
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def slug(text):
    return SLUG.sub("-", text.lower()).strip("-")[:80]


def foldoc(dict_dir):
    for title, body in foldoc_entries(dict_dir):
        prose = [p for p in body.split("\n\n") if "\n" not in p and "http" not in p]
        text = SPACES.sub(" ", " ".join(prose)).strip()
        text = re.sub(r"^(<[^>]*>\s*)+", "", text)
        if len(text.split()) >= 12 and len(title) >= 3 and any(c.isalpha() for c in title):
            first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            yield {"id": "foldoc:" + slug(title), "title": title, "text": text[:6000]}, \
                {"question": f"What is {title}?", "answer": first}


class _Sections(html.parser.HTMLParser):
    """(heading, paragraphs) of each h2/h3/h4 section of a DocBook HTML page."""

    def __init__(self):
        super().__init__()
        self.sections = []
        self.heading = None
        self.in_heading = False
        self.depth = 0
        self.cur = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "h4") and ("class", "title") in attrs:
            self.in_heading = True
            self.sections.append([[], []])
            self.cur = []
        elif self.depth:
            if tag == "div":
                self.depth += 1
        elif (tag == "div" and ("class", "para") in attrs) and self.sections:
            self.depth = 1
            self.cur = []

    def handle_endtag(self, tag):
        if self.in_heading and tag in ("h2", "h3", "h4"):
            self.in_heading = False
            self.sections[-1][0] = SPACES.sub(" ", "".join(self.cur)).strip()
            self.cur = []
        elif self.depth and tag == "div":
            self.depth -= 1
            if not self.depth:
                self.sections[-1][1].append(SPACES.sub(" ", "".join(self.cur)).strip())
                self.cur = []

    def handle_data(self, data):
        if self.in_heading or self.depth:
            self.cur.append(data)


def handbook(html_dir):
    for name in sorted(os.listdir(html_dir)):
        if not name.endswith(".html"):
            continue
        parser = _Sections()
        with open(os.path.join(html_dir, name), encoding="utf-8") as f:
            parser.feed(f.read())
        top = None
        for heading, paragraphs in parser.sections:
            heading = re.sub(r"^[\d.A-Z]+\.\s+", "", heading).strip()  # "6.2.1. Initialization"
            if top is None:
                top = heading
            text = " ".join(p for p in paragraphs if p)
            if len(text.split()) < 40 or not heading:
                continue
            question = heading if heading == top else f"{heading} ({top})"
            yield {"id": "handbook:" + slug(name[:-5] + "-" + heading), "title": heading, "text": text[:8000]}, \
                {"question": question}


def gcide(dict_dir):
    module = foldoc_module()
    index = module.load_index(os.path.join(dict_dir, "gcide.index"))
    with gzip.open(os.path.join(dict_dir, "gcide.dict.dz"), "rb") as f:
        data = f.read()
    for word, (offset, length) in sorted(index.items()):
        if not re.fullmatch(r"[a-z]{4,}", word):
            continue
        text = data[offset:offset + length].decode("utf-8", "replace")
        text = text.replace("[1913 Webster]", " ").replace("[PJC]", " ")
        text = re.sub(r"\\[^\\]*\\", " ", text)
        text = re.sub(r"[{}]", "", text)
        text = re.sub(r"\[[^\]]*\]", " ", text)
        text = SPACES.sub(" ", text).strip()
        words = text.split()
        if len(words) >= 12:
            yield {"id": "gcide:" + word, "title": word, "text": " ".join(words[:400])}, \
                {"question": f"What does the word {word} mean?"}


def build(name, pairs, questions, distractors):
    """The set's documents and questions: a fixed pseudo-random choice of entries."""
    pairs = sorted(pairs, key=lambda p: order(p[0]["id"]))
    seen, docs, qs = set(), [], []
    for doc, q in pairs:
        if doc["id"] in seen:
            continue
        seen.add(doc["id"])
        doc["metadata"] = {"set": name}
        if len(qs) < questions:
            q["relevant"] = [doc["id"]]
            qs.append(q)
            docs.append(doc)
        elif len(docs) < questions + distractors:
            docs.append(doc)
        else:
            break
    return docs, qs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--debs", required=True, help="folder with dict-foldoc/, debian-handbook/, dict-gcide/ unpacked")
    ap.add_argument("--out", required=True, help="where documents.jsonl goes (a cache, not the repository)")
    ap.add_argument("--sets", required=True, help="where the question files go")
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--distractors", type=int, default=600)
    args = ap.parse_args()
    sources = {
        "foldoc": foldoc(os.path.join(args.debs, "dict-foldoc/usr/share/dictd")),
        "handbook": handbook(os.path.join(args.debs, "debian-handbook/usr/share/doc/debian-handbook/html/en-US")),
        "gcide": gcide(os.path.join(args.debs, "dict-gcide/usr/share/dictd")),
    }
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.sets, exist_ok=True)
    with open(os.path.join(args.out, "documents.jsonl"), "w", encoding="utf-8") as out:
        for name, pairs in sources.items():
            docs, qs = build(name, pairs, args.questions, args.distractors)
            for d in docs:
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
            halves = {"dev": [], "test": []}
            for q in qs:
                halves["dev" if int(order(q["question"]), 16) % 2 == 0 else "test"].append(q)
            for half, items in halves.items():
                with open(os.path.join(args.sets, f"{name}.{half}.jsonl"), "w", encoding="utf-8") as f:
                    for q in items:
                        f.write(json.dumps(q, ensure_ascii=False) + "\n")
            print(f"{name}: {len(docs)} documents, {len(halves['dev'])} dev + {len(halves['test'])} test questions",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
