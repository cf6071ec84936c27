package io.ragsuite.support.health;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import java.util.List;

/**
 * Ties the standard {@code grpc.health.v1} status to a background load. Quarkus reports every gRPC service
 * SERVING as soon as the server is up; a stage whose model is still loading must say NOT_SERVING, so that
 * gRPC health probes and the orchestrator's readiness only pass once it can answer.
 */
public final class GrpcServingStatus {
    private GrpcServingStatus() {
    }

    /** Sets the overall status and each of {@code services} NOT_SERVING now, and SERVING once {@code load} is ready. */
    public static void follow(GrpcHealthStorage storage, BackgroundLoad<?> load, List<String> services) {
        set(storage, services, ServingStatus.NOT_SERVING);
        load.onReady(() -> set(storage, services, ServingStatus.SERVING));
    }

    private static void set(GrpcHealthStorage storage, List<String> services, ServingStatus status) {
        storage.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
        services.forEach(service -> storage.setStatus(service, status));
    }
}
