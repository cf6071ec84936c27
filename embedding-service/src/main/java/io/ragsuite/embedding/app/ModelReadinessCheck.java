package io.ragsuite.embedding.app;

import io.ragsuite.embedding.core.EmbeddingModel;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
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
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("embedding-model");
        if (!loader.ready()) {
            return builder.down().withData("reason", loader.failure() != null ? loader.failure() : "loading").build();
        }
        EmbeddingModel model = loader.engine().model(null);
        return builder.up().withData("model", model.spec().name()).withData("dimension", model.dimension())
                .withData("backend", model.backend()).build();
    }
}
