package io.ragsuite.embedding;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.internal.v1.DescribeRequest;
import io.ragsuite.api.internal.v1.StageInfo;
import io.ragsuite.api.internal.v1.StageInfoServiceGrpc;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbedResponse;
import io.ragsuite.api.v1.EmbeddingServiceGrpc;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedding service over REST and gRPC, including every kind of bad input. */
@QuarkusTest
class EmbeddingServiceTest {
    @GrpcClient("self")
    EmbeddingServiceGrpc.EmbeddingServiceBlockingStub grpc;
    @GrpcClient("self")
    StageInfoServiceGrpc.StageInfoServiceBlockingStub stageInfo;
    @GrpcClient("self")
    HealthGrpc.HealthBlockingStub health;

    @BeforeEach
    void modelLoaded() {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static double cosine(List<Float> a, List<Float> b) {
        double dot = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.get(i) * b.get(i);
        }
        return dot;
    }

    @Test
    void grpcEmbedReturnsNormalisedVectorsThatRankMeaning() {
        EmbedResponse r = grpc.embed(EmbedRequest.newBuilder()
                .addTexts("A cat sits on the mat.")
                .addTexts("A kitten is resting on a rug.")
                .addTexts("The stock market fell sharply today.").build());
        assertEquals("all-minilm-l6-v2", r.getModel());
        assertEquals(384, r.getDimension());
        assertEquals(3, r.getEmbeddingsCount());
        for (var e : r.getEmbeddingsList()) {
            assertEquals(384, e.getValuesCount());
            assertEquals(1.0, cosine(e.getValuesList(), e.getValuesList()), 1e-4, "vectors are unit length");
            assertTrue(e.getTokenCount() > 2);
        }
        double similar = cosine(r.getEmbeddings(0).getValuesList(), r.getEmbeddings(1).getValuesList());
        double unrelated = cosine(r.getEmbeddings(0).getValuesList(), r.getEmbeddings(2).getValuesList());
        assertTrue(similar > unrelated + 0.3, "cat/kitten " + similar + " vs cat/stocks " + unrelated);
        assertTrue(r.getTiming().getTotalUs() > 0);
        assertTrue(r.getTiming().getComputeUs() > 0);
    }

    @Test
    void restEmbedMatchesGrpc() {
        List<Float> viaGrpc = grpc.embed(EmbedRequest.newBuilder().addTexts("hello world").build())
                .getEmbeddings(0).getValuesList();
        List<Float> viaRest = given().contentType(ContentType.JSON).body("{\"texts\":[\"hello world\"]}")
                .post("/v1/embed").then().statusCode(200)
                .body("dimension", equalTo(384))
                .body("embeddings", hasSize(1))
                .body("timing.total_us", not(equalTo(0)))
                .extract().jsonPath().getList("embeddings[0]", Float.class);
        assertEquals(viaGrpc.size(), viaRest.size());
        for (int i = 0; i < viaGrpc.size(); i++) {
            assertEquals(viaGrpc.get(i), viaRest.get(i), 1e-6);
        }
    }

    @Test
    void longTextIsRejectedUnlessTruncationIsAsked() {
        String longText = String.join(" ", Collections.nCopies(400, "word"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> grpc.embed(EmbedRequest.newBuilder().addTexts(longText).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("256-token limit"), e.getStatus().getDescription());

        var ok = grpc.embed(EmbedRequest.newBuilder().addTexts(longText).setTruncate(true).build());
        assertTrue(ok.getEmbeddings(0).getTruncated());
        assertEquals(256, ok.getEmbeddings(0).getTokenCount());
    }

    @Test
    void badGrpcRequestsGetClearStatuses() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "at least 1", EmbedRequest.newBuilder().build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "texts[1] is empty", EmbedRequest.newBuilder().addTexts("ok").addTexts("").build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "texts[0] is empty", EmbedRequest.newBuilder().addTexts("   ").build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "limit is 64",
                EmbedRequest.newBuilder().addAllTexts(Collections.nCopies(65, "x")).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "limit is 20000",
                EmbedRequest.newBuilder().addTexts("x".repeat(20_001)).build());
        assertStatus(Status.Code.NOT_FOUND, "unknown model", EmbedRequest.newBuilder().addTexts("x").setModel("nope").build());
    }

    private void assertStatus(Status.Code code, String message, EmbedRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.embed(request));
        assertEquals(code, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    @Test
    void badRestRequestsGetProblemBodies() {
        problem("{\"texts\":[\"\"]}", 400, "texts[0] is empty");
        problem("{\"texts\":[]}", 400, "at least 1");
        problem("{}", 400, "at least 1");
        problem("{\"texts\":[\"x\"],\"model\":\"nope\"}", 404, "unknown model");
        problem("{\"texts\": ", 400, "not valid JSON");
        problem("{\"texts\": 42}", 400, "not valid JSON");
        problem("", 400, "request body is required");
    }

    private static void problem(String body, int status, String detail) {
        given().contentType(ContentType.JSON).body(body).post("/v1/embed").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("detail", containsString(detail))
                .body(not(containsString("Exception")));
    }

    @Test
    void standardHealthAndStageInfoAnswer() {
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        StageInfo info = stageInfo.describe(DescribeRequest.getDefaultInstance());
        assertEquals("embedding", info.getStage());
        assertTrue(info.getReady());
        assertEquals("384", info.getDetailsOrThrow("dimension"));
    }

    @Test
    void metricsArePublished() {
        grpc.embed(EmbedRequest.newBuilder().addTexts("metrics").build());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("rag_embedding_phase_seconds_count{phase=\"inference\",protocol=\"grpc\"}"))
                .body(containsString("rag_embedding_queue_depth"))
                // The test profile asks for CUDA; this build has only the CPU provider, so it fell back.
                .body(containsString("rag_embedding_execution_provider{model=\"all-minilm-l6-v2\",provider=\"cpu\","
                        + "requested=\"cuda\"} 1.0"));
    }
}
