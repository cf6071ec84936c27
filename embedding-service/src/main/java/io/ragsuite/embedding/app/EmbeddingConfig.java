package io.ragsuite.embedding.app;

import io.ragsuite.embedding.core.Pooling;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** {@code rag.embedding.*} settings; each one can be set by environment, e.g. {@code RAG_EMBEDDING_MAX_TEXTS}. */
@ConfigMapping(prefix = "rag.embedding")
public interface EmbeddingConfig {
    /** Name clients select the model by. */
    @WithDefault("all-minilm-l6-v2")
    String modelName();

    /**
     * A folder holding {@code model.onnx} and {@code tokenizer.json} (for a model mounted from a volume).
     * When absent, the all-MiniLM-L6-v2 model that ships inside the service is used.
     */
    Optional<Path> modelDir();

    @WithDefault("mean")
    Pooling pooling();

    @WithDefault("true")
    boolean normalize();

    /** Longest input in tokens; 256 is what sentence-transformers uses for all-MiniLM-L6-v2. */
    @WithDefault("256")
    int maxTokens();

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
