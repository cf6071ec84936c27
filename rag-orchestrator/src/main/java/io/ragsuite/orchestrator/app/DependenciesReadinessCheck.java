package io.ragsuite.orchestrator.app;

import grpc.health.v1.Health;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when all three stages answer SERVING on the standard {@code grpc.health.v1} service (which
 * each stage ties to its own readiness: model or index loaded).
 */
@Readiness
@ApplicationScoped
public class DependenciesReadinessCheck implements AsyncHealthCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @GrpcClient("embedding")
    Health embedding;
    @GrpcClient("vector-search")
    Health vectorSearch;
    @GrpcClient("generation")
    Health generation;

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.combine().all()
                .unis(status(embedding), status(vectorSearch), status(generation))
                .with((e, v, g) -> {
                    Map<String, String> statuses = Map.of("embedding", e, "vector-search", v, "generation", g);
                    HealthCheckResponseBuilder b = HealthCheckResponse.named("pipeline-stages");
                    statuses.forEach(b::withData);
                    return b.status(statuses.values().stream().allMatch(ServingStatus.SERVING.name()::equals)).build();
                });
    }

    private static Uni<String> status(Health stage) {
        return stage.check(HealthCheckRequest.getDefaultInstance())
                .map(r -> r.getStatus().name())
                .ifNoItem().after(TIMEOUT).fail()
                .onFailure().recoverWithItem(t -> "UNREACHABLE: " + t.getClass().getSimpleName());
    }
}
