package io.ragsuite.embedding.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.embedding.core.EmbeddingEngine;
import io.ragsuite.embedding.core.EmbeddingLimits;
import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.embedding.core.ModelSource;
import io.ragsuite.embedding.core.OnnxEmbeddingModel;
import io.ragsuite.embedding.core.OrtRuntime;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** Loads the models in the background at startup; readiness stays false until they can answer. */
@ApplicationScoped
public class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

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
        List<ModelSource> sources = new ArrayList<>();
        for (String name : config.builtinModels()) {
            ModelSource source = ModelSource.BUILTIN.get(name.strip());
            if (source == null) {
                throw new IllegalArgumentException("unknown built-in model '" + name + "'; built-in: "
                        + ModelSource.BUILTIN.keySet());
            }
            sources.add(source);
        }
        if (config.modelRepository().isPresent()) {
            sources.addAll(ModelSource.scan(config.modelRepository().get()));
        }
        ClassLoader resources = Thread.currentThread().getContextClassLoader();
        // Each worker runs its own model calls; giving each a share of the cores (rather than ONNX Runtime's
        // default of all cores per call) avoids oversubscription, measured in bench/embedding.
        int threads = config.threads() > 0 ? config.threads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, config.workers()));
        OrtRuntime runtime = new OrtRuntime(threads,
                OrtRuntime.ExecutionProvider.parse(config.executionProvider()), config.cudaDeviceId(),
                config.fallbackToCpu());
        List<EmbeddingModel> models = new ArrayList<>();
        try {
            for (ModelSource source : sources) {
                OnnxEmbeddingModel model = source.load(resources, runtime);
                models.add(model);
                OrtRuntime.ProviderChoice provider = model.provider();
                if (provider.fellBack()) {
                    LOG.warnf("model %s: execution provider %s requested but running on %s: %s",
                            model.spec().name(), provider.requested().label(), provider.active().label(),
                            provider.fallbackReason());
                }
                metrics.executionProvider(model.spec().name(), provider);
                LOG.infof("model %s: dimension %d, %s pooling, max %d tokens, %s, on %s", model.spec().name(),
                        model.dimension(), model.spec().pooling(), model.spec().maxTokens(),
                        source.folder() == null ? "built in" : source.folder(), model.backend());
            }
            return new EmbeddingEngine(models, config.defaultModel(), new EmbeddingLimits(config.maxTexts(),
                    config.maxTextChars(), config.workers(), config.maxBatchTexts(), config.maxBatchTokens(),
                    config.maxPaddingFraction(), config.batchDelayMicros(), config.maxQueuedTexts()),
                    metrics.batchObserver());
        } catch (Exception | LinkageError e) {
            models.forEach(EmbeddingModel::close);
            throw e;
        }
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
