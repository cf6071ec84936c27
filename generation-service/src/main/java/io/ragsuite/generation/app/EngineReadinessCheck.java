package io.ragsuite.generation.app;

import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.support.health.LoadReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every model (and its adapters) is loaded. */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {
    private final EngineLoader loader;

    public EngineReadinessCheck(EngineLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        return LoadReadiness.of("generation-model", loader.loading(), (ModelRegistry registry) -> {
            var engine = registry.defaultScheduler().engine();
            return Map.of("model", engine.modelName(), "backend", engine.backend(), "slots", engine.slots(),
                    "context_per_slot", engine.contextPerSlot(), "served", registry.served().stream()
                            .map(ModelRegistry.Served::name).collect(Collectors.joining(",")));
        });
    }
}
