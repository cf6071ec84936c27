#!/usr/bin/env python3
"""Extract a small sample corpus from FOLDOC (Debian package dict-foldoc).

Stdlib only. Reads the dictd index + dict.dz installed by `apt-get install dict-foldoc`
and writes one plain-text file per entry to samples/corpus/<slug>.txt:
  line 1: the headword (title)
  then:   the entry body, unindented, reflowed into paragraphs, with FOLDOC's
          {cross-reference} braces removed (the text inside is kept).

Usage: python3 samples/extract-foldoc.py [--dict-dir /usr/share/dictd] [--out samples/corpus]
"""
import argparse
import gzip
import os
import re
import sys

# (slug, headword as it appears in foldoc.index)
ENTRIES = [
    ("hash-table", "hash table"),
    ("garbage-collection", "garbage collection"),
    ("tcp", "transmission control protocol"),
    ("world-wide-web", "world-wide web"),  # FOLDOC's "HTTP" entry is too short
    ("compiler", "compiler"),
    ("lisp", "lisp"),
    ("unix", "unix"),
    ("binary-search", "binary search"),
    ("public-key-encryption", "public-key encryption"),
    ("deadlock", "deadlock"),
    ("cache", "cache"),
    ("regular-expression", "regular expression"),
]
MIN_CHARS = 400

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64num(s):
    n = 0
    for ch in s:
        n = n * 64 + B64.index(ch)
    return n


def load_index(path):
    idx = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                idx.setdefault(parts[0].lower(), (b64num(parts[1]), b64num(parts[2])))
    return idx


def clean(raw, wanted=None):
    lines = raw.decode("utf-8").splitlines()
    # An entry starts with one or more unindented headword lines (aliases), then a blank line.
    n = 0
    while n < len(lines) and lines[n].strip() and not lines[n][:1].isspace():
        n += 1
    heads = [h.strip() for h in lines[:n]] or [lines[0].strip()]
    title = next((h for h in heads if wanted and h.lower() == wanted.lower()), heads[0])
    body_lines = [l.expandtabs(8).rstrip() for l in lines[n:]]
    indents = [len(l) - len(l.lstrip()) for l in body_lines if l.strip()]
    # The body's normal indent is the most common one (a stray URL line may sit at column 0).
    base = max(set(indents), key=indents.count) if indents else 0
    # Split into blocks at blank lines. Prose blocks (all lines at the base indent) are
    # reflowed into one paragraph; blocks with deeper-indented lines (code, tables) are kept
    # verbatim, minus the base indent, and their braces are left untouched.
    blocks, cur = [], []
    for line in body_lines + [""]:
        if line.strip():
            ind = len(line) - len(line.lstrip())
            cur.append(line[base:] if ind > base else line.lstrip())
        elif cur:
            blocks.append(cur)
            cur = []
    # A {link text (url)} occasionally spans a blank line: merge such prose blocks.
    merged = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if prev and "".join(prev).count("{") > "".join(prev).count("}") \
                and not any(l[:1].isspace() for l in prev + block):
            prev.extend(block)
        else:
            merged.append(block)
    out = []
    for block in merged:
        if any(l[:1].isspace() for l in block):
            out.append("\n".join(block))
        else:
            para = re.sub(r"\s+", " ", " ".join(block))
            # {cross-reference} -> cross-reference; escaped braces such as RE\{M\} are left alone
            para = re.sub(r"(?<!\\)\{([^{}]*?)(?<!\\)\}", r"\1", para)
            out.append(para)
    body = "\n\n".join(out)
    return title, body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dict-dir", default="/usr/share/dictd")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    args = ap.parse_args()

    idx = load_index(os.path.join(args.dict_dir, "foldoc.index"))
    with gzip.open(os.path.join(args.dict_dir, "foldoc.dict.dz"), "rb") as f:
        data = f.read()  # dictzip is gzip-compatible; ~8 MB uncompressed

    os.makedirs(args.out, exist_ok=True)
    ok = True
    for slug, head in ENTRIES:
        if head not in idx:
            print(f"missing headword: {head}", file=sys.stderr)
            ok = False
            continue
        off, length = idx[head]
        title, body = clean(data[off:off + length], head)
        if len(body) < MIN_CHARS:
            print(f"entry too short ({len(body)} chars): {head}", file=sys.stderr)
            ok = False
        with open(os.path.join(args.out, slug + ".txt"), "w", encoding="utf-8") as f:
            f.write(title + "\n\n" + body + "\n")
        print(f"{slug}.txt  {title!r}  {len(body)} chars")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
