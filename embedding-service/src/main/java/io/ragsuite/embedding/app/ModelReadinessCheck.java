package io.ragsuite.embedding.app;

import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.support.health.LoadReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and can answer. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    private final ModelLoader loader;

    public ModelReadinessCheck(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        return LoadReadiness.of("embedding-model", loader.loading(), engine -> {
            EmbeddingModel model = engine.model(null);
            return Map.of("model", model.spec().name(), "dimension", model.dimension(), "backend", model.backend());
        });
    }
}
