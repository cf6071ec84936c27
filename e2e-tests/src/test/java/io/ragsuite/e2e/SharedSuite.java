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

/**
 * One started suite ({@code rag up --no-build --no-sample}, free ports, a temporary run directory) shared by every
 * feature test class that registers this extension, so each feature has its own small class without paying for
 * its own start; stopped with {@code rag down} when the test run ends. Classes that change the services' setup
 * (TLS, a killed stage) start their own suite instead.
 */
final class SharedSuite implements BeforeAllCallback {
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
        requireStarted();
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + started.suite.port("rag-orchestrator") + path)).timeout(timeout).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(text)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static JsonNode postJson(String path, Object body, int expectedStatus) throws Exception {
        HttpResponse<String> r = post(path, body, "application/json", ANSWER_TIMEOUT);
        if (r.statusCode() != expectedStatus) {
            fail("POST " + path + ": expected " + expectedStatus + ", got " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
