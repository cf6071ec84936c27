#!/usr/bin/env python3
"""Writes the benchmark's 5,000 real English sentences, one per line.

Source: FOLDOC, the Free On-line Dictionary of Computing (GFDL), from Debian's dict-foldoc package: every
entry is cleaned with the same code as samples/extract-foldoc.py, split into sentences, and sentences of
5 to 60 words are kept, de-duplicated, in a fixed pseudo-random order (SHA-1 of the text) so that topics
and lengths are mixed. Stdlib only.

Usage: make_sentences.py --dict-dir DIR --out FILE [--count 5000]
"""
import argparse
import gzip
import hashlib
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])")
TAGS = re.compile(r"^(<[^>]*>\s*)+")


def is_prose(sentence):
    words = sentence.split()
    letters = sum(c.isalpha() or c == " " for c in sentence)
    return (5 <= len(words) <= 60 and sentence[:1].isupper() and sentence[-1:] in ".!?"
            and "http" not in sentence and letters >= 0.85 * len(sentence))


def foldoc_module():
    path = os.path.join(HERE, "..", "..", "samples", "extract-foldoc.py")
    spec = importlib.util.spec_from_file_location("extract_foldoc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def foldoc_entries(dict_dir):
    """(headword, cleaned body) of every FOLDOC entry in dict_dir, in file order; entries that do not decode are
    skipped. Shared by every corpus built from FOLDOC (bench/rag, bench/vector-search, eval)."""
    module = foldoc_module()
    index = module.load_index(os.path.join(dict_dir, "foldoc.index"))
    with gzip.open(os.path.join(dict_dir, "foldoc.dict.dz"), "rb") as f:
        data = f.read()
    for offset, length in sorted(set(index.values())):
        try:
            yield module.clean(data[offset:offset + length])
        except (UnicodeDecodeError, IndexError):
            continue


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dict-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=5000)
    args = ap.parse_args()
    foldoc = foldoc_module()
    index = foldoc.load_index(os.path.join(args.dict_dir, "foldoc.index"))
    with gzip.open(os.path.join(args.dict_dir, "foldoc.dict.dz"), "rb") as f:
        data = f.read()
    seen = set()
    for offset, length in sorted(set(index.values())):
        try:
            _, body = foldoc.clean(data[offset:offset + length])
        except (UnicodeDecodeError, IndexError):
            continue
        for paragraph in body.split("\n\n"):
            if "\n" in paragraph:  # code or a table, not prose
                continue
            paragraph = TAGS.sub("", paragraph)  # FOLDOC's leading <category> tags
            for sentence in SPLIT.split(paragraph):
                sentence = sentence.strip()
                if is_prose(sentence):
                    seen.add(sentence)
    if len(seen) < args.count:
        print(f"only {len(seen)} sentences found, {args.count} wanted", file=sys.stderr)
        return 1
    chosen = sorted(seen, key=lambda s: hashlib.sha1(s.encode("utf-8")).hexdigest())[:args.count]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(chosen) + "\n")
    words = sum(len(s.split()) for s in chosen)
    print(f"{len(chosen)} sentences ({words / len(chosen):.1f} words on average) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
