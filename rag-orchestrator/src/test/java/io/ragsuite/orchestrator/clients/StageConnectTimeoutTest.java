package io.ragsuite.orchestrator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stage whose address takes connections but never answers them (here: a listening socket whose accept queue is
 * full, so the kernel drops further SYNs, as a vanished pod's address does) makes the call fail as UNAVAILABLE once
 * rag.orchestrator.connect-timeout has passed, not wait for its deadline: 503, where without the connect timeout it
 * was 504 after the whole 20 s embedding deadline (Netty's own connect timeout being 30 s).
 */
@QuarkusTest
@TestProfile(StageConnectTimeoutTest.SilentStage.class)
class StageConnectTimeoutTest {
    /** The silent address: a socket that is never accepted from, its one-place queue filled before the test. */
    static final ServerSocket SILENT;
    static final List<Socket> QUEUED = new ArrayList<>();

    static {
        try {
            SILENT = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), SILENT.getLocalPort()), 500);
                    QUEUED.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class SilentStage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.grpc.clients.embedding.test-port", Integer.toString(SILENT.getLocalPort()),
                    "rag.orchestrator.embedding-timeout", "20s",
                    "rag.orchestrator.connect-timeout", "1s",
                    "io.ragsuite.orchestrator.clients.StageCalls/embedding/Retry/maxRetries", "0");
        }
    }

    @TestHTTPResource("/v1/rag/query")
    URI queryUri;

    @Test
    void aStageThatNeverAnswersTheConnectFailsAsUnavailableBeforeTheDeadline() throws Exception {
        assertTrue(QUEUED.size() < 16, "the silent socket's queue filled up (a further connect timed out)");
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(queryUri)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"What is a hash table?\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, answer.statusCode(), "UNAVAILABLE (connect timed out), not 504 at the deadline: " + answer.body());
        assertTrue(answer.body().contains("embedding stage"), answer.body());
    }
}
