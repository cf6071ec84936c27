package io.ragsuite.generation.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** {@code rag.generation.*} settings; each can be set by environment, e.g. {@code RAG_GENERATION_MODEL_PATH}. */
@ConfigMapping(prefix = "rag.generation")
public interface GenerationConfig {
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

    /** CPU threads; 0 uses every processor. */
    @WithDefault("0")
    int threads();

    @WithDefault("256")
    int defaultMaxTokens();

    @WithDefault("1024")
    int maxTokens();

    @WithDefault("64")
    int maxMessages();

    @WithDefault("32000")
    int maxPromptChars();

    /** Requests that may wait for a free slot before new ones get RESOURCE_EXHAUSTED / HTTP 429. */
    @WithDefault("16")
    int maxQueued();
}
