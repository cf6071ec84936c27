package io.ragsuite.orchestrator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbedResponse;
import io.ragsuite.api.v1.EmbeddingServiceGrpc;
import io.ragsuite.api.v1.Embedding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stage that was away and comes back (a pod replaced behind its Service) is used by the very next query. While
 * the stage is away the channel's connects fail and it backs off, exponentially; without
 * {@code resetConnectBackoff} on the first UNAVAILABLE, every retry of that query failed at once inside the backoff
 * window although the stage was up again. The embedding stage here is a real gRPC server of the contract that
 * starts late; the vector-search stage stays away, so a query that got its embedding fails at the vector search
 * stage, and one that did not fails at the embedding stage.
 */
@QuarkusTest
@TestProfile(StageReconnectTest.LateStage.class)
class StageReconnectTest {
    static final int PORT = freePort();

    public static class LateStage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.grpc.clients.embedding.test-port", Integer.toString(PORT),
                    "rag.orchestrator.embedding-timeout", "5s");
        }
    }

    @TestHTTPResource("/v1/rag/retrieve")
    URI retrieveUri;

    @Test
    void theFirstQueryAfterTheStageIsBackReachesIt() throws Exception {
        HttpResponse<String> away = retrieve();
        assertEquals(503, away.statusCode(), away.body());
        assertTrue(away.body().contains("embedding stage"), away.body());
        // The channel keeps trying on its own, backing off 1 s, 1.6 s, 2.6 s, 4.1 s, ... (gRPC's connection
        // backoff, 20% jitter): after 10 s it waits seconds between connects.
        Thread.sleep(10_000);
        Server stage = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT))
                .addService(new FixedEmbeddings()).build().start();
        try {
            HttpResponse<String> back = retrieve();
            assertEquals(503, back.statusCode(), back.body());
            assertTrue(back.body().contains("vector search stage"),
                    "the query got its embedding from the stage that came back: " + back.body());
        } finally {
            stage.shutdownNow();
        }
    }

    private HttpResponse<String> retrieve() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(retrieveUri)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"What is a hash table?\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The embedding contract answered with one fixed 384-dimension vector per text. */
    static final class FixedEmbeddings extends EmbeddingServiceGrpc.EmbeddingServiceImplBase {
        @Override
        public void embed(EmbedRequest request, StreamObserver<EmbedResponse> response) {
            EmbedResponse.Builder out = EmbedResponse.newBuilder().setModel("fixed");
            for (int i = 0; i < request.getTextsCount(); i++) {
                out.addEmbeddings(Embedding.newBuilder().addAllValues(Collections.nCopies(384, 0.05f)));
            }
            response.onNext(out.build());
            response.onCompleted();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
