package io.ragsuite.support.observability;

import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which traces are recorded, decided once per query by the service it enters (the orchestrator) and followed by
 * every service after it (parent-based, as the W3C trace context carries the decision).
 *
 * <p>Trace ids exist and travel on every hop either way, so logs and answers can always be correlated; spans are
 * only recorded, and exported over OTLP, when {@code rag.otel.endpoint} (RAG_OTEL_ENDPOINT) names a collector.
 * Without one nothing is recorded rather than exported to a default address that is not there (which would log a
 * failed export every few seconds).
 */
@jakarta.enterprise.context.Dependent
public class TraceSampling {
    @Produces
    @Singleton
    Sampler sampler(@ConfigProperty(name = "rag.otel.endpoint") Optional<String> endpoint,
            @ConfigProperty(name = "rag.otel.sample-ratio", defaultValue = "1.0") double ratio) {
        if (endpoint.filter(e -> !e.isBlank()).isEmpty()) {
            return Sampler.alwaysOff();
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("rag.otel.sample-ratio must be within [0, 1], not " + ratio);
        }
        return Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    }
}
