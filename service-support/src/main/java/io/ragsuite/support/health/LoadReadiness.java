package io.ragsuite.support.health;

import io.ragsuite.support.concurrent.BackgroundLoad;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** The readiness answer of a service whose model or index loads in the background. */
public final class LoadReadiness {
    private LoadReadiness() {
    }

    /**
     * DOWN with the reason while loading (or after a failed load); UP with {@code details} of the loaded
     * value once it can answer.
     */
    public static <T extends AutoCloseable> HealthCheckResponse of(String name, BackgroundLoad<T> load,
            Function<T, Map<String, Object>> details) {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(name);
        if (!load.ready()) {
            return builder.down().withData("reason", load.notReadyReason()).build();
        }
        details.apply(load.get()).forEach((key, value) -> {
            if (value instanceof Number n) {
                builder.withData(key, n.longValue());
            } else {
                builder.withData(key, String.valueOf(value));
            }
        });
        return builder.up().build();
    }
}
