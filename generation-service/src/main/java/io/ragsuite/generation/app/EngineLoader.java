package io.ragsuite.generation.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.generation.core.GenerationLimits;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.LlamaCppEngine;
import io.ragsuite.generation.core.WeightFiles;
import io.ragsuite.support.error.ServiceException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Checks and loads the model in the background at startup; readiness stays false until it can answer. */
@ApplicationScoped
public class EngineLoader {
    private static final Logger LOG = Logger.getLogger(EngineLoader.class);
    private final GenerationConfig config;
    private volatile GenerationScheduler scheduler;
    private volatile String failure;

    public EngineLoader(GenerationConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Thread.ofPlatform().name("generation-model-loader").daemon().start(this::load);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private void load() {
        long start = System.nanoTime();
        try {
            WeightFiles.check(config.modelPath(), config.modelSha256().orElse(null));
            LlamaCppEngine engine = new LlamaCppEngine(config.modelName(), config.modelPath(), config.slots(),
                    config.contextPerSlot(), config.threads());
            scheduler = new GenerationScheduler(engine, new GenerationLimits(config.defaultMaxTokens(),
                    config.maxTokens(), config.maxMessages(), config.maxPromptChars(), config.maxQueued()));
            LOG.infof("model %s loaded from %s (%d slots x %d tokens) in %d ms", config.modelName(), config.modelPath(),
                    config.slots(), config.contextPerSlot(), (System.nanoTime() - start) / 1_000_000);
        } catch (Exception | LinkageError e) {
            failure = "loading model " + config.modelName() + " from " + config.modelPath() + " failed: " + e.getMessage();
            LOG.error(failure, e);
        }
    }

    public boolean ready() {
        return scheduler != null;
    }

    public String failure() {
        return failure;
    }

    public GenerationScheduler scheduler() {
        GenerationScheduler s = scheduler;
        if (s == null) {
            throw ServiceException.unavailable(failure != null ? failure : "model is still loading", null);
        }
        return s;
    }
}
