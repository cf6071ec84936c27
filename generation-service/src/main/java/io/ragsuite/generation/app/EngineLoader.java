package io.ragsuite.generation.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.generation.core.GenerationLimits;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.GenerationEngine;
import io.ragsuite.generation.core.LlamaCppEngine;
import io.ragsuite.generation.core.OpenAiRemoteEngine;
import io.ragsuite.generation.core.WeightFiles;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Checks and loads the model in the background at startup; readiness stays false until it can answer. */
@ApplicationScoped
public class EngineLoader {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EngineLoader.class);
    private final GenerationConfig config;
    private final GrpcHealthStorage grpcHealth;
    private final BackgroundLoad<GenerationScheduler> load;

    public EngineLoader(GenerationConfig config, GrpcHealthStorage grpcHealth) {
        this.grpcHealth = grpcHealth;
        this.config = config;
        this.load = new BackgroundLoad<>("generation model " + config.modelName());
    }

    void onStart(@Observes StartupEvent event) {
        GrpcServingStatus.follow(grpcHealth, load, List.of("rag.v1.GenerationService"));
        load.start(this::loadScheduler);
    }

    void onStop(@Observes ShutdownEvent event) {
        load.close();
    }

    private GenerationScheduler loadScheduler() throws Exception {
        GenerationEngine engine = switch (config.backend().strip().toLowerCase(java.util.Locale.ROOT)) {
            case "llama-cpp" -> {
                var header = WeightFiles.check(config.modelPath(), config.modelSha256().orElse(null));
                yield new LlamaCppEngine(config.modelName(), config.modelPath(), config.slots(),
                        config.contextPerSlot(), config.threads(),
                        header.metadata().get("tokenizer.chat_template") instanceof String t ? t : null);
            }
            case "openai" -> remoteEngine();
            default -> throw new IllegalArgumentException("rag.generation.backend must be llama-cpp or openai, got '"
                    + config.backend() + "'");
        };
        return new GenerationScheduler(engine, new GenerationLimits(config.defaultMaxTokens(), config.maxTokens(),
                config.maxMessages(), config.maxPromptChars(), config.maxQueued()));
    }

    /** Waits for the remote server to answer with the configured model, as long as it takes, logging why. */
    private GenerationEngine remoteEngine() throws InterruptedException {
        GenerationConfig.Remote remote = config.remote();
        String url = remote.url().orElseThrow(() -> new IllegalArgumentException(
                "rag.generation.backend=openai needs rag.generation.remote.url (RAG_GENERATION_REMOTE_URL)"));
        OpenAiRemoteEngine engine = new OpenAiRemoteEngine(config.modelName(), url,
                remote.model().orElse(config.modelName()), remote.apiKey().orElse(null), config.slots(),
                config.contextPerSlot(), remote.timeout(), remote.maxRetries());
        long backoff = 500;
        while (true) {
            try {
                LOG.infof("generation backend %s serves %s", url, engine.probe());
                return engine;
            } catch (io.ragsuite.support.error.ServiceException e) {
                LOG.warnf("generation backend not ready yet: %s; retrying in %d ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(10_000, backoff * 2);
            }
        }
    }

    public BackgroundLoad<GenerationScheduler> loading() {
        return load;
    }

    public boolean ready() {
        return load.ready();
    }

    /** The scheduler, or UNAVAILABLE while the model is loading (or failed to load). */
    public GenerationScheduler scheduler() {
        return load.get();
    }
}
