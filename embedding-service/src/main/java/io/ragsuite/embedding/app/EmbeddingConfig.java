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

    /** ONNX Runtime intra-op threads per model call; 0 gives each worker an equal share of the CPUs. */
    @WithDefault("0")
    int threads();

    /**
     * ONNX Runtime execution provider: {@code cpu}, or {@code cuda} with the GPU build ({@code -Pgpu}).
     * When CUDA cannot be used the service logs why and runs on CPU, unless {@link #fallbackToCpu()} is off.
     */
    @WithDefault("cpu")
    String executionProvider();

    /** GPU used by the CUDA provider. */
    @WithDefault("0")
    int cudaDeviceId();

    /** Run on CPU when the requested execution provider cannot start; false keeps the service unready instead. */
    @WithDefault("true")
    boolean fallbackToCpu();

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

    /**
     * Share of a model call's padded tokens that may be padding (0 to 0.99): texts are sorted by length and a
     * call is cut before a longer text would pad the others beyond this.
     */
    @WithDefault("0.3")
    double maxPaddingFraction();

    /** How long the first request of a batch waits for others to join, in microseconds. */
    @WithDefault("2000")
    long batchDelayMicros();

    /** Texts allowed to wait before new requests get RESOURCE_EXHAUSTED / HTTP 429. */
    @WithDefault("1024")
    int maxQueuedTexts();
}
