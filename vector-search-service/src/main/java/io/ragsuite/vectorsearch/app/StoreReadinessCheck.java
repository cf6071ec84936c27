package io.ragsuite.vectorsearch.app;

import io.ragsuite.support.health.LoadReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
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
        return LoadReadiness.of("vector-store", holder.loading(),
                store -> Map.of("collections", store.list().size(), "backend", store.backend(), "location",
                        store.location()));
    }
}
