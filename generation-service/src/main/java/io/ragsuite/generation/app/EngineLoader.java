package io.ragsuite.generation.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.generation.core.GenerationLimits;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.LlamaCppEngine;
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
        WeightFiles.check(config.modelPath(), config.modelSha256().orElse(null));
        LlamaCppEngine engine = new LlamaCppEngine(config.modelName(), config.modelPath(), config.slots(),
                config.contextPerSlot(), config.threads());
        return new GenerationScheduler(engine, new GenerationLimits(config.defaultMaxTokens(), config.maxTokens(),
                config.maxMessages(), config.maxPromptChars(), config.maxQueued()));
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
