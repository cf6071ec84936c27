#!/usr/bin/env bash
# Regenerates the guardrail evaluation sets in this folder from real text (FOLDOC sentences, see
# bench/embedding/sentences.sh): pii-eval.jsonl (make_pii_set.py) and injection-eval.jsonl
# (make_injection_set.py). Stdlib Python only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sentences=$("$here/../../bench/embedding/sentences.sh" 3000)
python3 "$here/make_pii_set.py" "$sentences" > "$here/pii-eval.jsonl"
echo "wrote $here/pii-eval.jsonl ($(wc -l < "$here/pii-eval.jsonl") rows)" >&2
python3 "$here/make_injection_set.py" "$sentences" > "$here/injection-eval.jsonl"
echo "wrote $here/injection-eval.jsonl ($(wc -l < "$here/injection-eval.jsonl") rows)" >&2
