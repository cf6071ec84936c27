package io.ragsuite.vectorsearch.app;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every collection's index is open. */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {
    private final StoreHolder holder;

    public StoreReadinessCheck(StoreHolder holder) {
        this.holder = holder;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("vector-store");
        if (!holder.ready()) {
            return builder.down().withData("reason", holder.failure() != null ? holder.failure() : "opening").build();
        }
        return builder.up().withData("collections", holder.store().list().size())
                .withData("data_dir", holder.store().dataDir().toString()).build();
    }
}
