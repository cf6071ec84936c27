# The test environment of `./rag test`: the services' tests that need more than the JVM get it from here, each
# piece skippable or pointed elsewhere by environment. Sourced by the launcher (which provides ROOT, MODEL_PATH,
# info and die) after the model is fetched; test_env_up exports the variables the tests read.
#
#   RAG_TEST_PGVECTOR=off / RAG_TEST_PG_URL         local PostgreSQL + pgvector (scripts/postgres.sh)
#   RAG_TEST_LLAMA_SERVER=off / RAG_TEST_OPENAI_URL llama-cpp-python's server (scripts/llama-server.sh)
#   RAG_TEST_LORA=off / RAG_TEST_LORA_DIR           trained test LoRA adapters (generation-service/lora/make_adapters.sh)
#   RAG_TEST_GREEDY_GOLDENS                         llama.cpp's greedy continuations on this CPU (make_goldens.sh host);
#                                                   made with the llama-cpp-python venv, so RAG_TEST_LLAMA_SERVER=off skips it

# The pgvector backend's tests need a PostgreSQL with pgvector; scripts/postgres.sh installs (as root) and
# starts a local one unless RAG_TEST_PG_URL points at another, or RAG_TEST_PGVECTOR=off skips those tests.
start_test_postgres() {
    [[ ${RAG_TEST_PGVECTOR:-on} == off || -n ${RAG_TEST_PG_URL:-} ]] && return 0
    local out
    out=$("$ROOT/scripts/postgres.sh" start) \
        || die "could not start PostgreSQL for the pgvector tests (see above); RAG_TEST_PGVECTOR=off skips them"
    RAG_TEST_PG_URL=$(tail -n 1 <<<"$out")
    export RAG_TEST_PG_URL
    info "pgvector tests use $RAG_TEST_PG_URL"
}

# The generation service's openai backend is tested against llama-cpp-python's server (a real OpenAI-compatible
# server we did not write) on loopback; RAG_TEST_OPENAI_URL points at another, RAG_TEST_LLAMA_SERVER=off skips.
start_test_llama_server() {
    [[ ${RAG_TEST_LLAMA_SERVER:-on} == off || -n ${RAG_TEST_OPENAI_URL:-} ]] && return 0
    local out
    out=$("$ROOT/scripts/llama-server.sh" start "$MODEL_PATH") \
        || die "could not start llama-cpp-python's server for the generation tests (see above); RAG_TEST_LLAMA_SERVER=off skips them"
    RAG_TEST_OPENAI_URL=$(tail -n 1 <<<"$out")
    export RAG_TEST_OPENAI_URL
    info "openai-backend tests use $RAG_TEST_OPENAI_URL"
}

# The generation service's LoRA tests use real adapters: trained with PEFT and converted by llama.cpp's converter
# (generation-service/lora/make_adapters.sh; cached outside the repo, rebuilt when its scripts change).
build_test_adapters() {
    [[ ${RAG_TEST_LORA:-on} == off || -n ${RAG_TEST_LORA_DIR:-} ]] && return 0
    local out
    out=$("$ROOT/generation-service/lora/make_adapters.sh") \
        || die "could not build the test LoRA adapters (see above); RAG_TEST_LORA=off skips those tests"
    RAG_TEST_LORA_DIR=$(tail -n 1 <<<"$out")
    export RAG_TEST_LORA_DIR
    info "LoRA tests use the adapters in $RAG_TEST_LORA_DIR"
}

# GreedyGoldenTest compares our engine's greedy text with llama.cpp's own. Both are built with native instructions,
# and the text flips at near ties with the kernels those pick, so the reference is made on this host (seconds, cached
# by CPU); without it the test falls back to the committed files, which matches only the CPU that made it.
make_host_goldens() {
    [[ ${RAG_TEST_LLAMA_SERVER:-on} == off || -n ${RAG_TEST_GREEDY_GOLDENS:-} ]] && return 0
    local out
    out=$("$ROOT/generation-service/goldens/make_goldens.sh" host) \
        || die "could not make this host's greedy goldens (see above); RAG_TEST_LLAMA_SERVER=off skips them"
    RAG_TEST_GREEDY_GOLDENS=$(tail -n 1 <<<"$out")
    export RAG_TEST_GREEDY_GOLDENS
    info "greedy golden tests use $RAG_TEST_GREEDY_GOLDENS"
}

test_env_up() {
    start_test_postgres
    start_test_llama_server
    make_host_goldens
    build_test_adapters
}
