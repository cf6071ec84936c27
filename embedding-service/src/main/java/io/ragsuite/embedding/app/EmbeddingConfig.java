package io.ragsuite.embedding.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code rag.embedding.*} settings; each one can be set by environment, e.g. {@code RAG_EMBEDDING_MAX_TEXTS}. */
@ConfigMapping(prefix = "rag.embedding")
public interface EmbeddingConfig {
    /** Model used when a request names none. */
    @WithDefault("all-minilm-l6-v2")
    String defaultModel();

    /**
     * Models built into the service to load: any of all-minilm-l6-v2, all-minilm-l6-v2-q (int8),
     * bge-small-en. Empty loads none (then a repository must provide the default model).
     */
    @WithDefault("all-minilm-l6-v2")
    List<String> builtinModels();

    /**
     * A model repository folder (e.g. a mounted volume): each sub-folder with model.onnx, tokenizer.json and
     * model.properties is served under the folder's name.
     */
    Optional<Path> modelRepository();

    /** ONNX Runtime intra-op threads per request; 0 lets ONNX Runtime choose. */
    @WithDefault("0")
    int threads();

    @WithDefault("64")
    int maxTexts();

    @WithDefault("20000")
    int maxTextChars();

    /** Batches computed at once. */
    @WithDefault("2")
    int workers();

    /** Texts gathered into one batch across concurrent requests. */
    @WithDefault("32")
    int maxBatchTexts();

    /** Padded tokens (texts x longest text) per model call, like TEI's max-batch-tokens. */
    @WithDefault("16384")
    int maxBatchTokens();

    /** How long the first request of a batch waits for others to join, in microseconds. */
    @WithDefault("2000")
    long batchDelayMicros();

    /** Texts allowed to wait before new requests get RESOURCE_EXHAUSTED / HTTP 429. */
    @WithDefault("1024")
    int maxQueuedTexts();
}
