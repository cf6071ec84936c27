package io.ragsuite.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With RAG_ORCHESTRATOR_WAIT_FOR_READY (stages scaled to zero, deploy/overlays/keda), a call to a stage that is
 * not there waits for it up to its deadline instead of failing at once, and counts as in flight meanwhile (the
 * metric KEDA wakes the stage on). The stages are unreachable in tests (nothing listens on their test ports).
 */
@QuarkusTest
@TestProfile(WaitForReadyTest.Waiting.class)
class WaitForReadyTest {
    public static class Waiting implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rag.orchestrator.wait-for-ready", "true", "rag.orchestrator.embedding-timeout", "3s",
                    "io.ragsuite.orchestrator.clients.StageCalls/embedding/Retry/maxRetries", "0");
        }
    }

    @Test
    void aCallToAMissingStageWaitsUntilItsDeadlineAndCountsAsInFlight() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<io.restassured.response.Response> query = CompletableFuture.supplyAsync(() -> given()
                .contentType("application/json").body("{\"question\":\"What is a hash table?\"}").post("/v1/rag/query"));
        String during = "";
        for (int i = 0; i < 20 && !during.contains("rag_stage_calls_in_flight{stage=\"embedding stage\"} 1.0"); i++) {
            Thread.sleep(100);
            during = given().get("/q/metrics").asString();
        }
        assertTrue(during.contains("rag_stage_calls_in_flight{stage=\"embedding stage\"} 1.0"),
                "the waiting call is counted: " + during.lines().filter(l -> l.startsWith("rag_stage_calls")).toList());
        query.get(30, TimeUnit.SECONDS).then().statusCode(504).body("detail", containsString("embedding stage"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 2800, "waited for the stage until the 3 s deadline, not failed at once: " + ms + " ms");
        given().get("/q/metrics").then().body(containsString("rag_stage_calls_in_flight{stage=\"embedding stage\"} 0.0"));
    }
}
