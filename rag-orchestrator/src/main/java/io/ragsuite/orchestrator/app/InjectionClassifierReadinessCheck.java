package io.ragsuite.orchestrator.app;

import io.ragsuite.orchestrator.guard.DefaultInjectionDetector;
import io.ragsuite.orchestrator.guard.InjectionGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the prompt-injection classifier is trained (it needs the embedding stage, which may come up after this
 * service), so that no query waits for the training. A probe that finds it untrained starts the training again.
 */
@Readiness
@ApplicationScoped
public class InjectionClassifierReadinessCheck implements HealthCheck {
    @Inject
    InjectionGuard guard;

    /** Probes come every few seconds; a training that failed is tried again at most this often. */
    static final long RETRY_NANOS = 5_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong lastStart = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - RETRY_NANOS);

    @Override
    public HealthCheckResponse call() {
        if (!(guard.detector() instanceof DefaultInjectionDetector detector) || detector.ready()) {
            return HealthCheckResponse.up("injection-classifier");
        }
        long now = System.nanoTime();
        long last = lastStart.get();
        if (now - last >= RETRY_NANOS && lastStart.compareAndSet(last, now)) {
            detector.warmUp(); // joins a training in progress, or starts one
        }
        var response = HealthCheckResponse.named("injection-classifier").down().withData("state", "training");
        String failure = detector.lastFailure();
        if (failure != null) {
            response.withData("last_failure", failure);
        }
        return response.build();
    }
}
