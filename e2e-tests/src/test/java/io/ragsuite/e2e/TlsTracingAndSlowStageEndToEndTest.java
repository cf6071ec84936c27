package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The suite as a careful operator runs it, started by {@code rag up} with {@code RAG_TLS_DIR} (certificates made
 * by {@code scripts/dev-certs.sh}), traces exported to an OTLP collector (this test's {@link OtlpTraceCollector})
 * and JSON logs:
 * <ul>
 * <li>the stage services speak TLS only, and the whole pipeline works over it;</li>
 * <li>one query is one trace across the four services: the orchestrator's server span, a span per stage, a
 * gRPC client span per hop and the stage's server span under it; the answer names the trace;</li>
 * <li>the orchestrator's JSON log line for the query carries its request id and trace id;</li>
 * <li>a stage that hangs (SIGSTOP) makes queries fail at its deadline, then at once once its circuit breaker
 * opens, and they succeed again when it resumes (SIGCONT), without a restart.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsTracingAndSlowStageEndToEndTest {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(180);
    /** The vector search stage's deadline in this test, short so that the slow-stage test is quick. */
    private static final Duration SEARCH_DEADLINE = Duration.ofSeconds(3);
    private static final Set<String> STAGES = Set.of("embedding-service", "vector-search-service", "generation-service");

    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP/1.1, as curl and the OpenAI SDKs speak it. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static LaunchedSuite suite;
    private static OtlpTraceCollector collector;
    private static Path tlsDir;
    private static String startFailure;
    private static boolean anyTestFailed;

    @RegisterExtension
    static final TestWatcher PRINT_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            anyTestFailed = true;
            if (startFailure == null && suite != null) {
                System.err.println("=== " + context.getDisplayName() + " failed; service logs:" + suite.logTails());
            }
        }
    };

    @BeforeAll
    static void startServices() throws Exception {
        suite = LaunchedSuite.prepare("rag-e2e-tls-");
        if (!suite.missingJars().isEmpty()) {
            startFailure = "service jar(s) missing: " + suite.missingJars() + "; run ./mvnw package first";
            return;
        }
        tlsDir = suite.workDir.resolve("tls");
        Process certs = new ProcessBuilder("bash", suite.root.resolve("scripts/dev-certs.sh").toString(), tlsDir.toString())
                .redirectErrorStream(true).start();
        String certsOutput = new String(certs.getInputStream().readAllBytes());
        if (!certs.waitFor(60, TimeUnit.SECONDS) || certs.exitValue() != 0) {
            startFailure = "scripts/dev-certs.sh failed: " + certsOutput;
            return;
        }
        collector = new OtlpTraceCollector();

        suite.env.put("RAG_TLS_DIR", tlsDir.toString());
        suite.env.put("RAG_OTEL_ENDPOINT", collector.endpoint());
        suite.env.put("RAG_OTEL_PROTOCOL", "http/protobuf");
        suite.env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "500ms");
        suite.env.put("RAG_LOG_JSON", "true");
        suite.env.put("RAG_ORCHESTRATOR_VECTOR_SEARCH_TIMEOUT", SEARCH_DEADLINE.toSeconds() + "s");
        // The vector search stage's guard as the slow-stage test needs it: no retries, the breaker opens after two
        // failed calls in a row and lets a call through again after 4 s (StageCalls' Fault Tolerance keys).
        String guard = "IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_VECTORSEARCH_";
        suite.env.put(guard + "RETRY_MAXRETRIES", "0");
        suite.env.put(guard + "CIRCUITBREAKER_REQUESTVOLUMETHRESHOLD", "2");
        suite.env.put(guard + "CIRCUITBREAKER_FAILURERATIO", "1.0");
        suite.env.put(guard + "CIRCUITBREAKER_DELAY", "4000");

        LaunchedSuite.LauncherRun up = suite.launcher(UP_TIMEOUT, "up", "--no-build", "--no-sample");
        if (up.exitCode() != 0) {
            startFailure = "`rag up` with TLS and tracing failed (exit " + up.exitCode() + ")\n" + up.output()
                    + suite.logTails();
        }
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (suite == null || !suite.missingJars().isEmpty()) {
            return;
        }
        LaunchedSuite.LauncherRun down = suite.launcher(Duration.ofSeconds(60), "down");
        if (collector != null) {
            collector.close();
        }
        if (down.exitCode() != 0) {
            fail("`rag down` failed; services may still run (pids under " + suite.runDir + ")\n" + down.output());
        }
        if (anyTestFailed || startFailure != null) {
            System.err.println("=== kept the run directory for inspection: " + suite.runDir);
        } else {
            suite.deleteWorkDir();
        }
    }

    @Test
    @Order(1)
    void stageServicesSpeakTlsOnly() throws Exception {
        requireServices();
        for (String stage : STAGES) {
            ManagedChannel tls = Grpc.newChannelBuilderForAddress("127.0.0.1", suite.port(stage),
                    TlsChannelCredentials.newBuilder().trustManager(tlsDir.resolve("ca.crt").toFile()).build()).build();
            ManagedChannel plain = ManagedChannelBuilder.forAddress("127.0.0.1", suite.port(stage)).usePlaintext().build();
            try {
                assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), stage + " over TLS");
                assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(plain)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()),
                        stage + " must refuse plain-text gRPC");
            } finally {
                tls.shutdownNow();
                plain.shutdownNow();
            }
        }
    }

    @Test
    @Order(2)
    void aQueryOverTlsIsOneTraceAcrossTheFourServicesAndItsLogLineNamesIt() throws Exception {
        requireServices();
        String text = Files.readString(suite.root.resolve("samples/corpus/hash-table.txt"));
        HttpResponse<String> ingested = post("/v1/documents", Map.of("id", "hash-table", "title", "Hash table",
                "text", text), Duration.ofSeconds(120));
        assertEquals(201, ingested.statusCode(), ingested.body());

        HttpResponse<String> response = post("/v1/rag/query", Map.of("question", "What is a hash table?", "top_k", 2),
                ANSWER_TIMEOUT);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body());
        assertEquals("hash-table", answer.path("context").path(0).path("document_id").asText(), response.body());
        String traceId = answer.path("trace_id").asText();
        String requestId = answer.path("request_id").asText();
        assertTrue(traceId.matches("[0-9a-f]{32}") && !traceId.matches("0+"), "trace_id: " + response.body());

        // Spans arrive in batches, each service on its own schedule: wait until the trace is whole (a root, every
        // parent present, all four services in it).
        List<OtlpTraceCollector.ReceivedSpan> spans = List.of();
        for (int i = 0; i < 60; i++) {
            spans = collector.trace(traceId);
            Set<String> ids = spans.stream().map(OtlpTraceCollector.ReceivedSpan::spanId).collect(Collectors.toSet());
            Set<String> services = spans.stream().map(OtlpTraceCollector.ReceivedSpan::service).collect(Collectors.toSet());
            boolean whole = spans.stream().anyMatch(s -> s.parentSpanId().isEmpty())
                    && spans.stream().allMatch(s -> s.parentSpanId().isEmpty() || ids.contains(s.parentSpanId()));
            if (whole && services.containsAll(STAGES) && services.contains("rag-orchestrator")) {
                break;
            }
            Thread.sleep(500);
        }
        String described = " (collector: " + collector.summary() + ")"
                + spans.stream().map(Object::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
        List<OtlpTraceCollector.ReceivedSpan> orchestrator = spans.stream()
                .filter(s -> s.service().equals("rag-orchestrator")).toList();
        OtlpTraceCollector.ReceivedSpan query = orchestrator.stream().filter(s -> s.name().equals("rag query")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'rag query' span:" + described));
        // The query span is the root, or hangs under the orchestrator's HTTP server span when Vert.x made one (it
        // does not always: docs/observability.md).
        if (!query.parentSpanId().isEmpty()) {
            assertTrue(orchestrator.stream().anyMatch(s -> s.spanId().equals(query.parentSpanId())
                    && s.kind().equals("SPAN_KIND_SERVER") && s.parentSpanId().isEmpty()),
                    "the query span's parent is the orchestrator's server span, the trace's root:" + described);
        }
        assertEquals(1, spans.stream().filter(s -> s.parentSpanId().isEmpty()).count(), "one root:" + described);
        for (String stage : List.of("embedding stage", "vector search stage", "generation stage")) {
            OtlpTraceCollector.ReceivedSpan stageSpan = orchestrator.stream().filter(s -> s.name().equals(stage))
                    .findFirst().orElseThrow(() -> new AssertionError("no span '" + stage + "':" + described));
            assertEquals(query.spanId(), stageSpan.parentSpanId(), "'" + stage + "' hangs under the query span:" + described);
            List<OtlpTraceCollector.ReceivedSpan> hops = orchestrator.stream()
                    .filter(s -> s.kind().equals("SPAN_KIND_CLIENT") && s.parentSpanId().equals(stageSpan.spanId())).toList();
            assertFalse(hops.isEmpty(), "no gRPC client span under '" + stage + "':" + described);
        }
        for (String service : STAGES) {
            List<String> clientSpanIds = orchestrator.stream().filter(s -> s.kind().equals("SPAN_KIND_CLIENT"))
                    .map(OtlpTraceCollector.ReceivedSpan::spanId).toList();
            assertTrue(spans.stream().anyMatch(s -> s.service().equals(service) && s.kind().equals("SPAN_KIND_SERVER")
                    && clientSpanIds.contains(s.parentSpanId())),
                    service + " has no server span under one of the orchestrator's gRPC calls:" + described);
        }

        JsonNode line = null;
        for (String l : Files.readAllLines(suite.log("rag-orchestrator"))) {
            if (l.startsWith("{") && l.contains(requestId)) {
                JsonNode json = JSON.readTree(l);
                if (json.path("loggerName").asText().equals("rag.query")) {
                    line = json;
                }
            }
        }
        assertTrue(line != null, "no JSON log line of logger rag.query with request id " + requestId);
        assertEquals(requestId, line.path("mdc").path("requestId").asText(), line.toString());
        assertEquals(traceId, line.path("mdc").path("traceId").asText(), line.toString());
        for (String service : STAGES) {
            long json = Files.readAllLines(suite.log(service)).stream().filter(l -> l.startsWith("{\"timestamp\"")).count();
            assertTrue(json > 0, service + " wrote no JSON log lines");
        }
    }

    @Test
    @Order(3)
    void aHangingStageHitsItsDeadlineThenItsBreakerOpensAndItRecoversWhenItResumes() throws Exception {
        requireServices();
        long search = suite.pid("vector-search-service");
        Map<String, Object> question = Map.of("question", "What is a hash table?", "top_k", 2);
        signal("STOP", search);
        try {
            List<Long> timeouts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                long start = System.nanoTime();
                HttpResponse<String> failed = post("/v1/rag/query", question, ANSWER_TIMEOUT);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(504, failed.statusCode(), failed.body());
                assertTrue(failed.body().contains("vector search stage"), failed.body());
                timeouts.add(ms);
            }
            for (long ms : timeouts) {
                assertTrue(ms >= SEARCH_DEADLINE.toMillis() - 200 && ms < SEARCH_DEADLINE.toMillis() * 4,
                        "each call waited for its deadline (" + SEARCH_DEADLINE.toMillis() + " ms), no retries: " + timeouts);
            }
            long start = System.nanoTime();
            HttpResponse<String> open = post("/v1/rag/query", question, ANSWER_TIMEOUT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, open.statusCode(), open.body());
            assertTrue(open.body().contains("vector search stage") && open.body().contains("circuit breaker open"),
                    open.body());
            assertTrue(ms < SEARCH_DEADLINE.toMillis(), "the open breaker fails at once, not at a deadline: " + ms + " ms");
        } finally {
            signal("CONT", search);
        }
        HttpResponse<String> recovered = null;
        for (int i = 0; i < 30 && (recovered == null || recovered.statusCode() != 200); i++) {
            Thread.sleep(1000);
            recovered = post("/v1/rag/query", question, ANSWER_TIMEOUT);
        }
        assertEquals(200, recovered.statusCode(), recovered.body());
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
    }

    private static HttpResponse<String> post(String path, Object body, Duration timeout) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + suite.port("rag-orchestrator") + path))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void requireServices() {
        if (startFailure != null) {
            fail("the services did not start: " + startFailure);
        }
    }
}
