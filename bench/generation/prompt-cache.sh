#!/usr/bin/env bash
# What prompt (prefix) caching saves on RAG-shaped prompts: the orchestrator's system prompt (read from
# DefaultPromptBuilder.java) and a user message "Passages: [1] ... Question: ..." whose passages differ from
# request to request, as they do in the pipeline. Our generation service runs once with
# RAG_GENERATION_PROMPT_CACHE=false and once with true (the default); 12 sequential requests each, 1 token
# each, at the orchestrator's temperature 0.2 (greedy requests never use the cache); reports the service's time to first token (prefill) p50 and the prompt tokens.
#   bench/generation/prompt-cache.sh        writes results/prompt-cache.md
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${RAG_CACHE_DIR:-$HOME/.cache/rag-suite}"
port=18387
source "$root/scripts/java-home.sh" || exit 1
source "$here/service.sh"
model=$("$root/scripts/fetch-model.sh" | tail -n 1)
log="$cache/bench/prompt-cache-service.log"
out="$here/results/prompt-cache.md"
mkdir -p "$cache/bench" "$here/results"
builder="$root/rag-orchestrator/src/main/java/io/ragsuite/orchestrator/prompt/DefaultPromptBuilder.java"
system=$(python3 - "$builder" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r'static final String SYSTEM = ((?:"[^"]*"\s*\+?\s*)+);', src)
print("".join(re.findall(r'"([^"]*)"', m.group(1))))
EOF
)
trap stop_service EXIT

measure() {
    python3 - "$port" "$system" "$here/prompts.json" <<'EOF'
import json, sys, urllib.request, statistics, random
port, system, prompts = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
rng = random.Random(5)
ttft, tokens = [], []
for i in range(13):
    # Four "passages" per prompt, drawn from the prompt list and numbered as the orchestrator numbers them.
    passages = "".join(f"[{k + 1}] {' '.join(rng.sample(prompts, 4))}\n\n" for k in range(4))
    user = f"Passages:\n\n{passages}Question: {prompts[i % len(prompts)]}"
    body = json.dumps({"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
                       "max_tokens": 1, "temperature": 0.2, "seed": 1}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/generate", body, {"content-type": "application/json"})
    r = json.load(urllib.request.urlopen(req, timeout=120))
    if i > 0:  # the first fills the cache (or warms up)
        ttft.append(r["timing"]["time_to_first_token_us"] / 1000)
        tokens.append(r["usage"]["prompt_tokens"])
print(f"{statistics.median(ttft):.1f} {statistics.mean(tokens):.0f}")
EOF
}

{
    echo "# Prompt caching on RAG-shaped prompts ($(date -u +%F), $(nproc) CPUs)"
    echo
    echo "\`bench/generation/prompt-cache.sh\`: 12 sequential requests, each a new set of passages under the same system prompt."
    echo
    echo "| prompt cache | prompt tokens (mean) | time to first token p50 ms |"
    echo "|---|---:|---:|"
} > "$out"
for on in ${RAG_BENCH_CACHE_SETTINGS:-false true}; do
    start_service "$port" "$log" RAG_GENERATION_MODEL_PATH="$model" RAG_GENERATION_PROMPT_CACHE="$on"
    result=$(measure)
    read -r ms toks <<< "$result"
    stop_service
    echo "| $on | $toks | $ms |" >> "$out"
done
cat "$out"
