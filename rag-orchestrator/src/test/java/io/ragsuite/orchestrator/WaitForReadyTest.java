package io.ragsuite.orchestrator;

import static io.restassured.RestAssured.given;
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
        // At least this query's call: the injection classifier's training call, retried by the readiness check
        // in the background, may be waiting on the same missing stage too (seen: 2.0).
        String during = "";
        for (int i = 0; i < 20 && embeddingInFlight(during) < 1; i++) {
            Thread.sleep(100);
            during = given().get("/q/metrics").asString();
        }
        assertTrue(embeddingInFlight(during) >= 1,
                "the waiting call is counted: " + during.lines().filter(l -> l.startsWith("rag_stage_calls")).toList());
        HttpResponse<String> answer = query.get(30, TimeUnit.SECONDS);
        assertEquals(504, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("embedding stage"), answer.body());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 2800, "waited for the stage until the 3 s deadline, not failed at once: " + ms + " ms");
        // Back to none once the calls' deadlines have passed (a background training call ends on its own deadline).
        String after = "";
        for (int i = 0; i < 50 && embeddingInFlight(after) != 0; i++) {
            Thread.sleep(100);
            after = given().get("/q/metrics").asString();
        }
        assertEquals(0.0, embeddingInFlight(after), "no call left in flight");
    }

    /** The embedding stage's in-flight gauge in a Prometheus scrape, or -1 when absent. */
    private static double embeddingInFlight(String metrics) {
        String prefix = "rag_stage_calls_in_flight{stage=\"embedding stage\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(prefix.length()).trim())).orElse(-1.0);
    }
}
