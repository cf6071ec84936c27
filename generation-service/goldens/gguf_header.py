#!/usr/bin/env python3
"""Dumps what gguf-py (llama.cpp's own Python GGUF reader, PyPI `gguf`) reads from a GGUF file's header:
version, metadata keys with their value types, and every tensor's name, ggml type id, shape, byte size and
absolute data offset. GgufHeaderGoldenTest compares our Java reader with this.

Usage: gguf_header.py MODEL.gguf > golden.json
"""
import importlib.metadata
import json
import sys

import gguf


def main():
    reader = gguf.GGUFReader(sys.argv[1])
    fields = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue  # the reader's own pseudo-fields (version, counts)
        fields[name] = field.types[0].name.lower() if field.types else None
    out = {
        "reader": f"gguf {importlib.metadata.version('gguf')}",
        "version": int(reader.fields["GGUF.version"].parts[-1][0]),
        "metadata": fields,
        "tensors": [{"name": t.name, "type": int(t.tensor_type), "shape": [int(d) for d in t.shape],
                     "bytes": int(t.n_bytes), "data_offset": int(t.data_offset)} for t in reader.tensors],
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
