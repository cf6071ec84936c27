package io.ragsuite.generation.app;

import io.ragsuite.generation.core.GenerationEngine;
import io.ragsuite.support.health.LoadReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
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
        return LoadReadiness.of("generation-model", loader.loading(), scheduler -> {
            GenerationEngine engine = scheduler.engine();
            return Map.of("model", engine.modelName(), "backend", engine.backend(), "slots", engine.slots(),
                    "context_per_slot", engine.contextPerSlot());
        });
    }
}
