package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The orchestrator's stage calls when time passes and stages die, on a suite of its own (short deadlines and a
 * quick circuit breaker, set by environment): each call gets its own deadline (a query long after the first call
 * still succeeds), and a killed stage fails queries at once with 503 naming it, opens the breaker, turns the
 * orchestrator unready, and everything recovers when the stage is started again, without restarting the
 * orchestrator. Ordered because the second test kills a stage.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StageFailureEndToEndTest {
    /**
     * Deadline of the orchestrator's calls to the embedding and vector search stages here (shipped: 30 s). Short,
     * so that a query runs well after it has elapsed since the first call: the test then fails if the deadline is
     * fixed once per client instead of applied to each call.
     */
    private static final Duration STAGE_DEADLINE = Duration.ofSeconds(10);
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, Object> QUESTION = Map.of("question", "What is a hash table?", "top_k", 2);

    private static LaunchedSuite suite;
    private static String startFailure;

    @BeforeAll
    static void start() throws Exception {
        suite = LaunchedSuite.prepare("rag-e2e-stage-failure-");
        if (!suite.missingJars().isEmpty()) {
            startFailure = "service jar(s) missing: " + suite.missingJars() + "; run ./mvnw package first";
            return;
        }
        for (String variable : List.of("RAG_ORCHESTRATOR_EMBEDDING_TIMEOUT", "RAG_ORCHESTRATOR_VECTOR_SEARCH_TIMEOUT")) {
            suite.env.put(variable, STAGE_DEADLINE.toSeconds() + "s");
        }
        // The embedding stage's circuit breaker: open after two failed calls in a row, try again after 3 s
        // (MicroProfile Fault Tolerance keys of StageCalls, set by environment).
        String breaker = "IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_EMBEDDING_CIRCUITBREAKER_";
        suite.env.put(breaker + "REQUESTVOLUMETHRESHOLD", "2");
        suite.env.put(breaker + "FAILURERATIO", "1.0");
        suite.env.put(breaker + "DELAY", "3000");
        LaunchedSuite.LauncherRun up = suite.launcher(UP_TIMEOUT, "up", "--no-build", "--no-sample");
        if (up.exitCode() != 0) {
            startFailure = "`rag up` failed: " + up.output() + suite.logTails();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (suite == null || !suite.missingJars().isEmpty()) {
            return;
        }
        LaunchedSuite.LauncherRun down = suite.launcher(Duration.ofSeconds(60), "down");
        assertEquals(0, down.exitCode(), down.output());
        suite.deleteWorkDir();
    }

    @Test
    @Order(1)
    void everyStageCallGetsItsOwnDeadline() throws Exception {
        requireStarted();
        String text = java.nio.file.Files.readString(suite.root.resolve("samples/corpus/hash-table.txt"));
        long firstCall = System.nanoTime();
        assertEquals(201, post("/v1/documents", Map.of("id", "hash-table", "text", text)).statusCode());
        long wait = STAGE_DEADLINE.toMillis() + 1000 - (System.nanoTime() - firstCall) / 1_000_000;
        Thread.sleep(Math.max(0, wait));
        // Retrieval calls the same two stages (embedding, vector search) as a query does, without generating.
        HttpResponse<String> r = post("/v1/rag/retrieve", QUESTION);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("hash-table", body.path("passages").path(0).path("document_id").asText(), r.body());
    }

    @Test
    @Order(2)
    void aKilledStageFailsFastAndRecoversWhenItReturns() throws Exception {
        requireStarted();
        long orchestratorPid = suite.pid("rag-orchestrator");
        ProcessHandle embedding = ProcessHandle.of(suite.pid("embedding-service")).orElseThrow();
        embedding.destroyForcibly();
        embedding.onExit().get(30, TimeUnit.SECONDS);

        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            HttpResponse<String> failed = post("/v1/rag/query", QUESTION);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, failed.statusCode(), failed.body());
            assertTrue(failed.body().contains("embedding stage"), failed.body());
            assertTrue(ms < STAGE_DEADLINE.toMillis(), "failed fast, not after a deadline: " + ms + " ms");
        }
        HttpResponse<String> open = post("/v1/rag/query", QUESTION);
        assertTrue(open.body().contains("circuit breaker open"), open.body());
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + suite.port("rag-orchestrator") + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("UNREACHABLE"), ready.body());
        HttpResponse<String> stages = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + suite.port("rag-orchestrator") + "/v1/rag/stages")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode listed = JSON.readTree(stages.body());
        assertEquals(false, listed.path("stages").path(0).path("reachable").asBoolean(true), stages.body());
        assertEquals(true, listed.path("stages").path(1).path("ready").asBoolean(), stages.body());

        LaunchedSuite.LauncherRun up = suite.launcher(UP_TIMEOUT, "up", "--no-build", "--no-sample");
        assertEquals(0, up.exitCode(), up.output());
        // The breaker lets a call through again 3 s after it opened; the first one that succeeds closes it.
        HttpResponse<String> recovered = null;
        for (int i = 0; i < 30 && (recovered == null || recovered.statusCode() != 200); i++) {
            Thread.sleep(1000);
            recovered = post("/v1/rag/query", QUESTION);
        }
        assertEquals(200, recovered.statusCode(), recovered.body());
        assertEquals(orchestratorPid, suite.pid("rag-orchestrator"), "the orchestrator was not restarted");
        assertTrue(ProcessHandle.of(orchestratorPid).map(ProcessHandle::isAlive).orElse(false));
    }

    private static void requireStarted() {
        if (startFailure != null) {
            fail(startFailure);
        }
    }

    private static HttpResponse<String> post(String path, Object body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + suite.port("rag-orchestrator") + path))
                .timeout(SharedSuite.ANSWER_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
