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

    @Override
    public HealthCheckResponse call() {
        if (!(guard.detector() instanceof DefaultInjectionDetector detector) || detector.ready()) {
            return HealthCheckResponse.up("injection-classifier");
        }
        detector.warmUp();
        return HealthCheckResponse.named("injection-classifier").down().withData("state", "training").build();
    }
}
