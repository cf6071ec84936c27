package io.ragsuite.orchestrator.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.RagServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API keys (stored hashed) and per-key rate limits on REST and gRPC; health and metrics stay open. */
@QuarkusTest
@TestProfile(ApiAccessTest.WithKeys.class)
class ApiAccessTest {
    static final String KEY = "test-key-0123456789";

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("api-keys-", ".txt");
                Files.writeString(file, "# name:sha256(key)\nci:" + HexFormat.of().formatHex(ApiKeys.sha256(KEY)) + "\n"
                        + "other:" + HexFormat.of().formatHex(ApiKeys.sha256("another-key")) + "\n");
                return Map.of("rag.orchestrator.auth.mode", "api-key", "rag.orchestrator.auth.keys-file", file.toString(),
                        "rag.orchestrator.auth.requests-per-minute", "1", "rag.orchestrator.auth.burst", "6");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @GrpcClient("self")
    RagServiceGrpc.RagServiceBlockingStub grpc;
    @GrpcClient("self")
    HealthGrpc.HealthBlockingStub health;

    @Test
    void keysAreRequiredAndRateLimitedWhileHealthStaysOpen() {
        given().get("/v1/documents").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json").body("detail", containsString("API key is required"));
        given().header("Authorization", "Bearer wrong").get("/v1/documents").then().statusCode(401);
        given().contentType("application/json").body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        health.check(HealthCheckRequest.getDefaultInstance());

        // A valid key gets through (the stages are unreachable in this test: 503 from behind the check).
        given().header("Authorization", "Bearer " + KEY).get("/v1/documents").then().statusCode(503);
        given().header("x-api-key", KEY).get("/v1/documents").then().statusCode(503);

        StatusRuntimeException noKey = assertThrows(StatusRuntimeException.class,
                () -> grpc.query(QueryRequest.newBuilder().setQuestion("hi").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, noKey.getStatus().getCode());
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KEY);
        var keyed = grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        StatusRuntimeException behind = assertThrows(StatusRuntimeException.class,
                () -> keyed.query(QueryRequest.newBuilder().setQuestion("What is a hash table?").build()));
        assertEquals(Status.Code.UNAVAILABLE, behind.getStatus().getCode(), "past the check, at the unreachable stage");

        // Burst of 6, one more a minute: the key has used 3; three more pass, the next is refused with Retry-After.
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + KEY).get("/v1/documents").then().statusCode(503);
        }
        var limited = given().header("Authorization", "Bearer " + KEY).get("/v1/documents");
        limited.then().statusCode(429).body("detail", containsString("rate limit"));
        assertTrue(Integer.parseInt(limited.header("Retry-After")) > 0);
        StatusRuntimeException grpcLimited = assertThrows(StatusRuntimeException.class,
                () -> keyed.query(QueryRequest.newBuilder().setQuestion("What is a hash table?").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, grpcLimited.getStatus().getCode());
        // Limits are per key: another key is not affected.
        given().header("Authorization", "Bearer another-key").get("/v1/documents").then().statusCode(503);
    }
}
