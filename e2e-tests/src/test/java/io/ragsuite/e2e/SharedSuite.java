package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.ragsuite.api.v1.RagServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One started suite ({@code rag up --no-build --no-sample}, free ports, a temporary run directory) shared by every
 * feature test class that registers this extension, so each feature has its own small class without paying for
 * its own start; stopped with {@code rag down} when the test run ends. Classes that change the services' setup
 * (TLS, a killed stage, short deadlines) start their own suite instead. A failed test prints the tail of every
 * service log.
 */
final class SharedSuite implements BeforeAllCallback, TestWatcher {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The started suite, kept in the root store so that JUnit closes it after the last class. */
    private static final class Started implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final LaunchedSuite suite;
        final String failure;
        final ManagedChannel channel;

        Started(LaunchedSuite suite, String failure) {
            this.suite = suite;
            this.failure = failure;
            this.channel = failure == null ? ManagedChannelBuilder.forAddress("127.0.0.1",
                    suite.port("rag-orchestrator")).usePlaintext().build() : null;
        }

        @Override
        public void close() throws Exception {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (suite.missingJars().isEmpty()) {
                suite.launcher(Duration.ofSeconds(60), "down");
                if (failure == null) {
                    suite.deleteWorkDir();
                }
            }
        }
    }

    private static Started started;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        started = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(
                SharedSuite.class, key -> start(), Started.class);
    }

    private static Started start() {
        try {
            LaunchedSuite suite = LaunchedSuite.prepare("rag-e2e-shared-");
            if (!suite.missingJars().isEmpty()) {
                return new Started(suite, "service jar(s) missing: " + suite.missingJars() + "; run ./mvnw package first");
            }
            LaunchedSuite.LauncherRun up = suite.launcher(Duration.ofSeconds(300), "up", "--no-build", "--no-sample");
            return new Started(suite, up.exitCode() == 0 ? null : "`rag up` failed: " + up.output() + suite.logTails());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the suite", e);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (started != null && started.failure == null) {
            System.err.println("=== " + context.getDisplayName() + " failed; service logs:" + started.suite.logTails());
        }
    }

    static LaunchedSuite suite() {
        requireStarted();
        return started.suite;
    }

    static int port(String service) {
        return suite().port(service);
    }

    /** Sends a request to {@code path} of {@code service} (a path starting with "/"). */
    static HttpResponse<String> send(String service, String path, java.util.function.UnaryOperator<HttpRequest.Builder> request)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(service) + path))
                .timeout(ANSWER_TIMEOUT);
        return HTTP.send(request.apply(b).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** GETs {@code path} of the orchestrator. */
    static HttpResponse<String> get(String path) throws Exception {
        return send("rag-orchestrator", path, b -> b.GET());
    }

    /** POSTs JSON to another service than the orchestrator (e.g. the vector store, to see what was stored). */
    static JsonNode postJsonTo(String service, String path, Object body, int expectedStatus) throws Exception {
        HttpResponse<String> r = send(service, path, b -> b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))));
        return expect(r, "POST " + service + path, expectedStatus);
    }

    /** A sample document of samples/corpus; its first line is its title, as `rag up` ingests them. */
    static String sample(String id) throws java.io.IOException {
        return java.nio.file.Files.readString(suite().root.resolve("samples/corpus").resolve(id + ".txt"));
    }

    static String titleOf(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    /** Runs a command in the repo root; fails the test with its output unless it exits 0 in time. */
    static String runScript(Duration timeout, String... command) throws Exception {
        java.nio.file.Path output = java.nio.file.Files.createTempFile(suite().workDir, "script-", ".out");
        Process process = new ProcessBuilder(command).directory(suite().root.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        boolean finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = java.nio.file.Files.readString(output);
        org.junit.jupiter.api.Assertions.assertTrue(finished && process.exitValue() == 0,
                String.join(" ", command) + " failed:\n" + text);
        return text;
    }

    private static String json(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static void requireStarted() {
        if (started.failure != null) {
            fail(started.failure);
        }
    }

    static RagServiceGrpc.RagServiceBlockingStub grpc(Duration deadline) {
        requireStarted();
        return RagServiceGrpc.newBlockingStub(started.channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    static RagServiceGrpc.RagServiceStub grpcAsync() {
        requireStarted();
        return RagServiceGrpc.newStub(started.channel);
    }

    /** POSTs {@code body} (JSON unless a String is given with its content type) to the orchestrator. */
    static HttpResponse<String> post(String path, Object body, String contentType, Duration timeout) throws Exception {
        return send("rag-orchestrator", path, b -> b.timeout(timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(json(body))));
    }

    static JsonNode postJson(String path, Object body, int expectedStatus) throws Exception {
        return expect(post(path, body, "application/json", ANSWER_TIMEOUT), "POST " + path, expectedStatus);
    }

    private static JsonNode expect(HttpResponse<String> r, String call, int expectedStatus) throws Exception {
        if (r.statusCode() != expectedStatus) {
            fail(call + ": expected " + expectedStatus + ", got " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
