#!/usr/bin/env bash
# The instruction set that code built here with native instructions (-march=native, llama.cpp's GGML_NATIVE)
# targets: what gcc enables for this CPU. Caches of natively built code (our llama.cpp binding, llama-cpp-python's
# wheel) and the greedy goldens made with them are keyed by it, because a build for one CPU may not run on another
# (illegal instruction) and picks other kernels, whose sums round differently (greedy text flips at near ties).
#   scripts/native-isa.sh            prints a short key, e.g. znver3-1a2b3c4d5e6f
#   scripts/native-isa.sh --describe prints -march and the enabled -m options, one line
set -euo pipefail
command -v g++ >/dev/null || { echo "native-isa.sh: error: g++ not found (Debian: apt-get install g++)" >&2; exit 1; }
target=$(g++ -march=native -Q --help=target 2>/dev/null)
march=$(awk '$1 == "-march=" {print $2; exit}' <<<"$target")
enabled=$(awk '$1 ~ /^-m/ && $2 == "[enabled]" {print $1}' <<<"$target" | sort | tr '\n' ' ')
case ${1:-} in
    --describe) echo "-march=$march ${enabled% }" ;;
    "") echo "$march-$(printf '%s\n' "$march" "$enabled" | sha256sum | cut -c1-12)" ;;
    *) echo "usage: native-isa.sh [--describe]" >&2; exit 2 ;;
esac
