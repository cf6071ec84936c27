package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failure handling of the remote engine, with failures a real server cannot be made to produce on cue:
 * nothing listening, 503s before a good answer, a stream that goes silent. (Its normal work is tested
 * against a real llama-cpp-python server in RemoteBackendTest.)
 */
class OpenAiRemoteEngineTest {
    private static final Sampling GREEDY = new Sampling(8, 0, 1, 0, 0, 1, null, List.of());
    private static final GenerationEngine.Prompt HELLO =
            new GenerationEngine.Prompt(List.of(new ChatTurn("user", "hello")), null, -1);
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String serve(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", handler);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a stalled answer blocks no other
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Test
    void nothingListeningIsUnavailableAfterTheRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (OpenAiRemoteEngine engine = new OpenAiRemoteEngine("m", "http://127.0.0.1:" + port + "/v1", "m", null, 2,
                2048, Duration.ofSeconds(2), 1)) {
            ServiceException e = assertThrows(ServiceException.class, () -> engine.complete(HELLO, GREEDY, t -> true));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
        }
    }

    @Test
    void overloadedServerIsRetriedUntilItAnswers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = serve(exchange -> {
            if (calls.incrementAndGet() <= 2) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            byte[] sse = ("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"
                    + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, sse.length);
            exchange.getResponseBody().write(sse);
            exchange.close();
        });
        try (OpenAiRemoteEngine engine = new OpenAiRemoteEngine("m", url, "m", null, 2, 2048, Duration.ofSeconds(5), 2)) {
            StringBuilder text = new StringBuilder();
            GenerationEngine.Completion c = engine.complete(HELLO, GREEDY, t -> text.append(t) != null);
            assertEquals("Hi there", text.toString());
            assertEquals(new GenerationEngine.Completion("stop", 2, 5), c);
            assertEquals(3, calls.get());
        }
    }

    @Test
    void aSilentStreamTimesOutAndARefusalIsInvalidArgument() throws Exception {
        String url = serve(exchange -> {
            if (new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).contains("\"refuse\"")) {
                byte[] body = "{\"error\":{\"message\":\"Requested tokens exceed context window\"}}".getBytes();
                exchange.sendResponseHeaders(400, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes());
            exchange.getResponseBody().flush();
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                // the test is over
            }
            exchange.close();
        });
        try (OpenAiRemoteEngine engine = new OpenAiRemoteEngine("m", url, "m", null, 2, 2048, Duration.ofSeconds(1), 0)) {
            ServiceException silent = assertThrows(ServiceException.class, () -> engine.complete(HELLO, GREEDY, t -> true));
            assertTrue(silent.kind() == ErrorKind.DEADLINE_EXCEEDED || silent.kind() == ErrorKind.UNAVAILABLE,
                    silent.toString());
            GenerationEngine.Prompt refuse = new GenerationEngine.Prompt(List.of(new ChatTurn("user", "refuse")), null, -1);
            ServiceException refused = assertThrows(ServiceException.class, () -> engine.complete(refuse, GREEDY, t -> true));
            assertEquals(ErrorKind.INVALID_ARGUMENT, refused.kind());
            assertTrue(refused.getMessage().contains("exceed context window"), refused.getMessage());
        }
    }
}
