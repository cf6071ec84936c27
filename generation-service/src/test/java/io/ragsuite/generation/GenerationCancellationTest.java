package io.ragsuite.generation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.GenerateResponse;
import io.ragsuite.api.v1.GenerationServiceGrpc;
import io.ragsuite.api.v1.SamplingParams;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller that goes away mid-answer stops the decoding at once on every unary route (REST, gRPC, OpenAI),
 * as streams do: its slot is free within a few decode steps, long before its 1,000 tokens would have been
 * generated (about 12 s at this model's speed here), and the next request does not wait for it.
 */
@QuarkusTest
@TestProfile(GenerationCancellationTest.OwnEngine.class)
class GenerationCancellationTest {
    /**
     * Its own application and engine: the abandoned 1,000-token sequences stay in llama.cpp's KV cache, and with
     * them in the unified cache greedy answers of other tests' requests came out differently (llama.cpp's
     * numerics depend on where a sequence's cells lie), so they must not share an engine.
     */
    public static class OwnEngine implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("rag.generation.max-queued", "8");
        }
    }

    private static final String LONG_STORY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a very long story.\"}],"
            + "\"max_tokens\":1000,\"ignore_eos\":true}";

    @GrpcClient("self")
    io.grpc.Channel channel;
    @GrpcClient("self")
    GenerationServiceGrpc.GenerationServiceBlockingStub grpc;

    @BeforeEach
    void modelLoaded() {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> slotsActive() == 0.0);
    }

    /** Pieces decoded so far (the inter-token gap count, recorded for cancelled requests too). */
    private double decoded;

    @Test
    void restCallerThatHangsUpFreesItsSlot() throws Exception {
        hangUpMidAnswer("/v1/generate");
    }

    @Test
    void openAiCallerThatHangsUpFreesItsSlot() throws Exception {
        hangUpMidAnswer("/v1/chat/completions");
    }

    @Test
    void cancelledGrpcCallFreesItsSlot() {
        decoded = decodedPieces();
        ListenableFuture<GenerateResponse> call = GenerationServiceGrpc.newFutureStub(channel).generate(GenerateRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Tell me a very long story."))
                .setSampling(SamplingParams.newBuilder().setMaxTokens(1000).setIgnoreEos(true)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> slotsActive() == 1.0);
        call.cancel(true);
        assertSlotFreedAtOnce();
    }

    /** Sends a unary request on a raw connection, waits until it decodes, and closes the connection. */
    private void hangUpMidAnswer(String path) throws Exception {
        decoded = decodedPieces();
        byte[] body = LONG_STORY.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("localhost", 18083)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> slotsActive() == 1.0);
        }
        assertSlotFreedAtOnce();
    }

    private void assertSlotFreedAtOnce() {
        long closed = System.nanoTime();
        // Uncancelled, the request would hold its slot for about 12 s more.
        await().atMost(Duration.ofSeconds(3)).until(() -> slotsActive() == 0.0);
        // Not a timing argument: the request stopped long before its 1,000 tokens, however fast the machine.
        double spent = decodedPieces() - decoded;
        assertTrue(spent < 500, "the abandoned request decoded " + spent + " of its 1,000 tokens");
        GenerateResponse after = grpc.generate(GenerateRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Say hi."))
                .setSampling(SamplingParams.newBuilder().setMaxTokens(4).setTemperature(0f)).build());
        assertTrue(after.getUsage().getCompletionTokens() > 0, after.toString());
        assertTrue(after.getTiming().getQueueUs() < 1_000_000, "no wait for a slot: " + after.getTiming());
        assertTrue(System.nanoTime() - closed < 5_000_000_000L, "freed and answered within 5 s");
    }

    /** 0 until the first gap is recorded (the timer is created then). */
    static double decodedPieces() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("rag_generation_inter_token_latency_seconds_count{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static double slotsActive() {
        return metric("rag_generation_slots_active{model=\"smollm2-135m-instruct\"}");
    }

    private static double metric(String prefix) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no " + prefix + " in " + metrics);
    }
}
