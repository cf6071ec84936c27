package io.ragsuite.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    @TestHTTPResource("/v1/rag/query")
    URI queryUri;

    @Test
    void aCallToAMissingStageWaitsUntilItsDeadlineAndCountsAsInFlight() throws Exception {
        long start = System.nanoTime();
        // The waiting query goes through the JDK's client, not REST Assured: REST Assured's first use initialises
        // Groovy classes whose static initialiser waits on the common ForkJoinPool, so a first call from a pool
        // thread racing one from this thread deadlocks on a 2-core machine (pool parallelism 1).
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> query = http.sendAsync(HttpRequest.newBuilder(queryUri)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"What is a hash table?\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String during = "";
        for (int i = 0; i < 20 && !during.contains("rag_stage_calls_in_flight{stage=\"embedding stage\"} 1.0"); i++) {
            Thread.sleep(100);
            during = given().get("/q/metrics").asString();
        }
        assertTrue(during.contains("rag_stage_calls_in_flight{stage=\"embedding stage\"} 1.0"),
                "the waiting call is counted: " + during.lines().filter(l -> l.startsWith("rag_stage_calls")).toList());
        HttpResponse<String> answer = query.get(30, TimeUnit.SECONDS);
        assertEquals(504, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("embedding stage"), answer.body());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 2800, "waited for the stage until the 3 s deadline, not failed at once: " + ms + " ms");
        given().get("/q/metrics").then().body(containsString("rag_stage_calls_in_flight{stage=\"embedding stage\"} 0.0"));
    }
}
