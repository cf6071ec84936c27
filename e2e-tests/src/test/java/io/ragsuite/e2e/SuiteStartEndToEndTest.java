package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import grpc.health.v1.HealthGrpc;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The suite as `rag up` starts it: every service answers the standard gRPC health check, the orchestrator reports
 * what serves each stage ({@code GET /v1/rag/stages}, asked of the stages themselves), and every service's build
 * produced its Kubernetes manifest.
 */
@ExtendWith(SharedSuite.class)
class SuiteStartEndToEndTest {

    @Test
    void everyServiceAnswersTheGrpcHealthCheck() throws Exception {
        for (String service : LaunchedSuite.SERVICES) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", SharedSuite.port(service))
                    .usePlaintext().build();
            try {
                ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService("").build()).getStatus();
                assertEquals(ServingStatus.SERVING, status, service + " on port " + SharedSuite.port(service));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theOrchestratorReportsWhatServesEachStage() throws Exception {
        HttpResponse<String> r = SharedSuite.get("/v1/rag/stages");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = SharedSuite.JSON.readTree(r.body());
        assertTrue(body.path("all_ready").asBoolean(), r.body());
        assertEquals(List.of("embedding", "vector-search", "generation"), body.path("stages").findValuesAsText("stage"),
                r.body());
        for (JsonNode stage : body.path("stages")) {
            assertTrue(stage.path("reachable").asBoolean() && stage.path("ready").asBoolean(), stage.toString());
            assertFalse(stage.path("backend").asText().isBlank(), stage.toString());
        }
        JsonNode embedding = body.path("stages").path(0);
        assertEquals("all-minilm-l6-v2", embedding.path("default_model").asText(), r.body());
        assertFalse(body.path("stages").path(2).path("default_model").asText().isBlank(), r.body());
    }

    @Test
    void everyServiceBuildProducedAKubernetesManifest() throws Exception {
        for (String service : LaunchedSuite.SERVICES) {
            Path manifest = SharedSuite.suite().root.resolve(service).resolve("target/kubernetes/kubernetes.yml");
            assertTrue(Files.isRegularFile(manifest), manifest + " missing; run ./mvnw package first");
            String yaml = Files.readString(manifest);
            assertTrue(yaml.contains("kind: Deployment") || yaml.contains("kind: StatefulSet"),
                    manifest + " has neither a Deployment nor a StatefulSet");
            assertTrue(yaml.contains("runAsNonRoot"), manifest + " does not set runAsNonRoot");
        }
    }
}
