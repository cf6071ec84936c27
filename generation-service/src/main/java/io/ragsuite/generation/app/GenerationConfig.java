package io.ragsuite.generation.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** {@code rag.generation.*} settings; each can be set by environment, e.g. {@code RAG_GENERATION_MODEL_PATH}. */
@ConfigMapping(prefix = "rag.generation")
public interface GenerationConfig {
    /**
     * {@code llama-cpp} (default): the GGUF at {@link #modelPath()} in-process. {@code openai}: a remote server
     * with OpenAI's chat API (vLLM, TGI, trtllm-serve, llama.cpp's server), see {@link #remote()}.
     */
    @WithDefault("llama-cpp")
    String backend();

    Remote remote();

    /** {@code rag.generation.remote.*}: the OpenAI-compatible server of the {@code openai} backend. */
    interface Remote {
        /** Base URL, e.g. {@code http://vllm:8000/v1}. */
        Optional<String> url();

        /** The model name at the server; defaults to {@link GenerationConfig#modelName()}. */
        Optional<String> model();

        /** Bearer token (from a Secret). */
        Optional<String> apiKey();

        /** Longest wait for the answer to start, and between two streamed pieces. */
        @WithDefault("60s")
        java.time.Duration timeout();

        /** Retries of a request that failed before anything was streamed (connection, 429, 5xx). */
        @WithDefault("2")
        int maxRetries();
    }

    /** The GGUF file to serve (default: the SmolLM2-135M-Instruct that {@code scripts/fetch-model.sh} caches). */
    Path modelPath();

    /** Name clients select the model by. */
    @WithDefault("smollm2-135m-instruct")
    String modelName();

    /** When set, the file's SHA-256 must equal it or the model is not loaded. */
    Optional<String> modelSha256();

    /** Requests decoded at once (llama.cpp parallel slots, continuous batching). */
    @WithDefault("2")
    int slots();

    /** Context of each slot in tokens (prompt and answer together). */
    @WithDefault("2048")
    int contextPerSlot();

    /** CPU threads of decode steps; 0: half the processors, at least one (see EngineThreads for why). */
    @WithDefault("0")
    int threads();

    /** CPU threads of prompt processing (prefill); 0: every processor. */
    @WithDefault("0")
    int threadsBatch();

    /**
     * Reuse each slot's cached prompt prefix (the system prompt and instructions every RAG prompt starts with);
     * off evaluates every prompt whole (for measuring what the cache saves).
     */
    @WithDefault("true")
    boolean promptCache();

    /**
     * llama.cpp's fused attention kernel. On by default since 2026-12-08: on 2 CPUs it decodes 8 sequences at
     * 314 instead of 275 tokens/s and prefills a 280-token prompt at 496 instead of 461 tokens/s (llama.cpp's
     * batched-bench, bench/generation/README.md), and our engine with it matches llama.cpp's own greedy text with
     * it 20 of 20 (GreedyGoldenTest; the text differs from the one without it in 15 of 20, as sums run in
     * another order). Earlier it was off because a greedy answer changed with whether its prompt came from the
     * slot's cache; greedy requests no longer use the cache.
     */
    @WithDefault("true")
    boolean flashAttention();

    /**
     * A waiting request's prompt does not start while another prompt is being evaluated, or while every running
     * answer is within this many tokens of its cap (LlamaCppEngine's class comment says why); 0 starts prompts
     * at once, beside anything. Measured in bench/rag.
     */
    @WithDefault("32")
    int finishFirstTokens();

    @WithDefault("256")
    int defaultMaxTokens();

    @WithDefault("1024")
    int maxTokens();

    @WithDefault("64")
    int maxMessages();

    @WithDefault("32000")
    int maxPromptChars();

    /** Requests that may wait for a free slot before new ones get RESOURCE_EXHAUSTED / HTTP 429 (per model). */
    @WithDefault("16")
    int maxQueued();

    /**
     * Further models served beside the default one, each with its own engine, slots and waiting line, selected
     * by the request's {@code model}: {@code rag.generation.models."NAME".path} (and {@code .sha256},
     * {@code .slots}, {@code .context-per-slot}). llama-cpp backend only.
     */
    Map<String, ExtraModel> models();

    interface ExtraModel {
        Path path();

        Optional<String> sha256();

        Optional<Integer> slots();

        Optional<Integer> contextPerSlot();
    }

    /** {@code rag.generation.lora.*}: LoRA adapters of the default model (llama-cpp backend). */
    Lora lora();

    interface Lora {
        /**
         * A folder of GGUF LoRA adapters: each {@code NAME.gguf} in it is served at startup as model {@code NAME}
         * (on top of the default model), and the admin API loads further files from it, and only from it.
         */
        Optional<Path> dir();

        /** Scale applied to an adapter's update (llama.cpp's LoRA scale; 1 applies it as trained). */
        @WithDefault("1.0")
        float scale();

        /** Most adapters the default model may hold at once. */
        @WithDefault("8")
        int maxAdapters();

        /**
         * Whether {@code POST /v1/load_lora_adapter} and {@code /v1/unload_lora_adapter} may change adapters while
         * serving (vLLM's VLLM_ALLOW_RUNTIME_LORA_UPDATING); off, they answer 409.
         */
        @WithDefault("true")
        boolean runtimeUpdates();
    }
}
