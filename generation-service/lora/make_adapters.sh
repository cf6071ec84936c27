#!/usr/bin/env bash
# Builds the test LoRA adapters for SmolLM2-135M-Instruct (pirate.gguf, robot.gguf) into an adapter folder
# outside the repo, and prints that folder on its last line. Model weights never go into git: the adapters are
# trained here by train_lora.py (transformers + PEFT on CPU, ~1-3 min) and converted by llama.cpp's own
# convert_lora_to_gguf.py, taken from the llama-cpp-python sdist pinned in scripts/llama-server.requirements.txt.
# Rebuilt only when this folder's scripts or pins change (a stamp holds their SHA-256). The trained files'
# SHA-256 are written to SHA256SUMS beside them and checked on every later run.
#   RAG_CACHE_DIR   cache root (default ~/.cache/rag-suite); the folder is $RAG_CACHE_DIR/adapters
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}
venv="$cache/venv-lora"
out="$cache/adapters"
die() { echo "make_adapters.sh: error: $*" >&2; exit 1; }
info() { echo "make_adapters.sh: $*" >&2; }

llama_pin=$(grep -E '^llama-cpp-python' "$root/scripts/llama-server.requirements.txt" | sed -E 's/.*==//')
[[ -n $llama_pin ]] || die "no llama-cpp-python pin in scripts/llama-server.requirements.txt"
stamp=$(cat "$here/train_lora.py" "$here/requirements.txt" "$here/make_adapters.sh" <(echo "$llama_pin") | sha256sum | cut -c1-64)

if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" && -f $out/SHA256SUMS ]]; then
    (cd "$out" && sha256sum -c --quiet SHA256SUMS) || die "adapters in $out changed since they were built; delete $out to rebuild"
    echo "$out"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$here/requirements.txt" "$venv/.requirements"; then
    info "installing torch, transformers and peft (CPU) into $venv; a few minutes the first time"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt" >&2 || die "pip install failed"
    cp "$here/requirements.txt" "$venv/.requirements"
fi

model=$("$root/scripts/fetch-model.sh" | tail -n 1)
sdist_dir="$cache/sdist"
sdist="$sdist_dir/llama_cpp_python-$llama_pin.tar.gz"
if [[ ! -f $sdist ]]; then
    info "fetching the llama-cpp-python $llama_pin sdist (for llama.cpp's convert_lora_to_gguf.py)"
    mkdir -p "$sdist_dir"
    "$venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
        "llama-cpp-python==$llama_pin" -d "$sdist_dir" >&2 || die "could not download the llama-cpp-python sdist"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$sdist" -C "$work" --wildcards "llama_cpp_python-$llama_pin/vendor/llama.cpp/convert_*.py" \
    "llama_cpp_python-$llama_pin/vendor/llama.cpp/gguf-py/*" "llama_cpp_python-$llama_pin/vendor/llama.cpp/conversion/*" \
    2>/dev/null || tar -xzf "$sdist" -C "$work" --wildcards "llama_cpp_python-$llama_pin/vendor/llama.cpp/convert_*.py" \
    "llama_cpp_python-$llama_pin/vendor/llama.cpp/gguf-py/*"
converter="$work/llama_cpp_python-$llama_pin/vendor/llama.cpp/convert_lora_to_gguf.py"
[[ -f $converter ]] || die "no convert_lora_to_gguf.py in $sdist"

info "training the adapters (train_lora.py)"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
"$venv/bin/python" "$here/train_lora.py" "$model" "$work/train" 2> >(grep -v -E 'it/s\]|Warning|warnings.warn' >&2)
rm -rf "$out.new"
mkdir -p "$out.new"
for persona in pirate robot; do
    info "converting $persona to GGUF"
    "$venv/bin/python" "$converter" --base "$work/train/base" --outtype f16 --outfile "$out.new/$persona.gguf" \
        "$work/train/peft/$persona" >/dev/null 2>"$work/convert-$persona.log" \
        || { cat "$work/convert-$persona.log" >&2; die "convert_lora_to_gguf.py failed for $persona"; }
done
cp "$work/train/peft-reference.json" "$out.new/"
(cd "$out.new" && sha256sum pirate.gguf robot.gguf > SHA256SUMS)
echo "$stamp" > "$out.new/.stamp"
rm -rf "$out"
mv "$out.new" "$out"
info "adapters ready in $out"
echo "$out"
