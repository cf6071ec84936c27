package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.QueryResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A caller that goes away while its answer is generated stops the generation on every unary front door of the
 * orchestrator (REST {@code /v1/rag/query}, gRPC {@code Query}, OpenAI {@code /v1/chat/completions} without
 * streaming), as the streams do: the generation stage's slot is freed, and the stage generated only a few tokens
 * of the answer. The oracle is the same question with the same seed answered in full first: the generation
 * stage's own count of decoded pieces tells how much of that answer the hung-up request cost.
 */
@ExtendWith(SharedSuite.class)
class CancellationEndToEndTest {
    private static final String SET = "cancel-e2e";
    private static final String QUESTION = "Explain in detail everything about garbage collection, step by step.";
    private static final int MAX_TOKENS = 256;
    private static final long SEED = 7;
    private static final Map<String, Object> FILTER = Map.of("must",
            List.of(Map.of("match", Map.of("key", "set", "any_of", List.of(SET)))));
    /** Tokens of the full answer to QUESTION, measured once. */
    private static double fullAnswerTokens;

    @BeforeAll
    static void ingestAndAnswerOnceInFull() throws Exception {
        SharedSuite.requireStarted();
        String text = SharedSuite.sample("garbage-collection");
        SharedSuite.postJson("/v1/documents", Map.of("id", "gc-cancel", "title", SharedSuite.titleOf(text), "text", text,
                "metadata", Map.of("set", SET)), 201);
        double before = generatedPieces();
        JsonNode full = SharedSuite.postJson("/v1/rag/query", query(), 200);
        fullAnswerTokens = generatedPieces() - before;
        assertTrue(fullAnswerTokens >= 48, "the full answer is long enough to see a cut: " + fullAnswerTokens + " pieces, "
                + full);
    }

    private static Map<String, Object> query() {
        return Map.of("question", QUESTION, "top_k", 2, "max_tokens", MAX_TOKENS, "temperature", 0.8, "seed", SEED,
                "filter", FILTER);
    }

    @Test
    void restCallerThatHangsUpStopsTheGeneration() throws Exception {
        hangUpMidAnswer("/v1/rag/query", SharedSuite.JSON.writeValueAsString(query()));
    }

    @Test
    void openAiCallerThatHangsUpStopsTheGeneration() throws Exception {
        String body = SharedSuite.JSON.writeValueAsString(Map.of("messages", List.of(Map.of("role", "user", "content",
                QUESTION)), "max_tokens", MAX_TOKENS, "temperature", 0.8, "seed", SEED, "top_k", 2, "filter", FILTER));
        hangUpMidAnswer("/v1/chat/completions", body);
    }

    @Test
    void cancelledGrpcCallStopsTheGeneration() throws Exception {
        double before = generatedPieces();
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> SharedSuite.grpcAsync().query(QueryRequest.newBuilder().setQuestion(QUESTION).setTopK(2)
                .setMaxTokens(MAX_TOKENS).setTemperature(0.8f).setSeed(SEED)
                .setFilter(Filter.newBuilder().addMust(Condition.newBuilder()
                        .setMatch(FieldMatch.newBuilder().setKey("set").addAnyOf(SET)))).build(),
                new StreamObserver<QueryResponse>() {
                    @Override
                    public void onNext(QueryResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        awaitSlots(1);
        call.cancel(null);
        assertStoppedEarly(before);
    }

    /** Sends a request on a raw connection, waits until its answer is being generated, and closes the connection. */
    private static void hangUpMidAnswer(String path, String json) throws Exception {
        double before = generatedPieces();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", SharedSuite.port("rag-orchestrator"))) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            awaitSlots(1);
        }
        assertStoppedEarly(before);
    }

    private static void assertStoppedEarly(double before) throws Exception {
        awaitSlots(0);
        double spent = generatedPieces() - before;
        assertTrue(spent < fullAnswerTokens / 2, "the hung-up request decoded " + spent + " of the "
                + fullAnswerTokens + " pieces of its full answer");
    }

    /** Waits (up to 60 s) until the generation stage has {@code n} busy slots. */
    private static void awaitSlots(int n) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (metric("rag_generation_slots_active{") == n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the generation stage never had " + n + " busy slots");
    }

    /**
     * Pieces the generation stage has decoded so far: its inter-token gap count, recorded from the decoding thread
     * for every piece after a request's first, cancelled requests included (their usage is never recorded).
     */
    private static double generatedPieces() throws Exception {
        return metric("rag_generation_inter_token_latency_seconds_count{");
    }

    /** Sum of the generation stage's Prometheus samples whose line starts with {@code prefix}. */
    private static double metric(String prefix) throws Exception {
        String text = SharedSuite.send("generation-service", "/q/metrics", b -> b.GET()).body();
        return text.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
