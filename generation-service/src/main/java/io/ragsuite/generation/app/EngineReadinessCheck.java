package io.ragsuite.generation.app;

import io.ragsuite.generation.core.GenerationEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded. */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {
    private final EngineLoader loader;

    public EngineReadinessCheck(EngineLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("generation-model");
        if (!loader.ready()) {
            return builder.down().withData("reason", loader.failure() != null ? loader.failure() : "loading").build();
        }
        GenerationEngine engine = loader.scheduler().engine();
        return builder.up().withData("model", engine.modelName()).withData("backend", engine.backend())
                .withData("slots", engine.slots()).withData("context_per_slot", engine.contextPerSlot()).build();
    }
}
