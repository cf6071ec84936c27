package io.ragsuite.generation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateChunk;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.GenerateResponse;
import io.ragsuite.api.v1.GenerationServiceGrpc;
import io.ragsuite.api.v1.SamplingParams;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generation service with the real SmolLM2-135M-Instruct model, over gRPC and REST. */
@QuarkusTest
class GenerationServiceTest {
    @GrpcClient("self")
    GenerationServiceGrpc.GenerationServiceBlockingStub grpc;
    @GrpcClient("self")
    HealthGrpc.HealthBlockingStub health;

    @BeforeEach
    void modelLoaded() {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static GenerateRequest.Builder ask(String question, int maxTokens) {
        return GenerateRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent(question))
                .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).setTemperature(0f).setSeed(42));
    }

    @Test
    void greedyGenerationIsRealAndRepeatable() {
        GenerateResponse first = grpc.generate(ask("What is the boiling point of water in Celsius?", 24).build());
        assertTrue(first.getText().contains("100"), first.getText());
        assertEquals("smollm2-135m-instruct", first.getModel());
        assertTrue(first.getUsage().getPromptTokens() > 5);
        assertTrue(first.getUsage().getCompletionTokens() > 0 && first.getUsage().getCompletionTokens() <= 24);
        assertTrue(List.of("stop", "length").contains(first.getFinishReason()));
        assertTrue(first.getTiming().getComputeUs() > 0 && first.getTimeToFirstTokenUs() > 0);
        GenerateResponse second = grpc.generate(ask("What is the boiling point of water in Celsius?", 24).build());
        assertEquals(first.getText(), second.getText(), "temperature 0 is deterministic");
    }

    @Test
    void maxTokensEndsGenerationWithLength() {
        GenerateResponse r = grpc.generate(ask("Write a long story about a dragon.", 5).build());
        assertEquals("length", r.getFinishReason());
        assertEquals(5, r.getUsage().getCompletionTokens());
    }

    @Test
    void streamingSendsTheTextPieceByPieceThenTheTotals() {
        Iterator<GenerateChunk> it = grpc.generateStream(ask("Name three colors.", 16).build());
        List<GenerateChunk> chunks = new ArrayList<>();
        it.forEachRemaining(chunks::add);
        assertTrue(chunks.size() >= 3, "several chunks: " + chunks.size());
        GenerateChunk last = chunks.get(chunks.size() - 1);
        assertFalse(last.getFinishReason().isEmpty());
        // Every piece is at least one token; the end-of-sequence token has no text but counts.
        int pieces = chunks.size() - 1;
        int tokens = last.getUsage().getCompletionTokens();
        assertTrue(tokens >= pieces && tokens <= pieces + 1, pieces + " pieces, " + tokens + " tokens");
        chunks.subList(0, chunks.size() - 1).forEach(c -> assertTrue(c.getFinishReason().isEmpty()));
    }

    @Test
    void concurrentRequestsShareTheSlots() {
        List<CompletableFuture<GenerateResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String q = "Count from one to " + (5 + i) + ".";
            calls.add(CompletableFuture.supplyAsync(() -> grpc.generate(ask(q, 12).build())));
        }
        calls.forEach(c -> assertFalse(c.join().getText().isBlank()));
    }

    @Test
    void badGrpcRequestsGetClearStatuses() {
        expect(Status.Code.INVALID_ARGUMENT, "at least 1", GenerateRequest.newBuilder().build());
        expect(Status.Code.INVALID_ARGUMENT, "role", GenerateRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("wizard").setContent("hi")).build());
        expect(Status.Code.INVALID_ARGUMENT, "max_tokens", ask("hi", 5000).build());
        expect(Status.Code.INVALID_ARGUMENT, "temperature", ask("hi", 5).setSampling(SamplingParams.newBuilder()
                .setTemperature(3f)).build());
        expect(Status.Code.INVALID_ARGUMENT, "top_p", ask("hi", 5).setSampling(SamplingParams.newBuilder()
                .setTopP(0f)).build());
        expect(Status.Code.INVALID_ARGUMENT, "repetition_penalty", ask("hi", 5).setSampling(SamplingParams.newBuilder()
                .setRepetitionPenalty(0.5f)).build());
        expect(Status.Code.INVALID_ARGUMENT, "min_p", ask("hi", 5).setSampling(SamplingParams.newBuilder()
                .setMinP(1f)).build());
        expect(Status.Code.INVALID_ARGUMENT, "system message may only come first", ask("hi", 5)
                .addMessages(ChatMessage.newBuilder().setRole("system").setContent("late system prompt")).build());
        expect(Status.Code.NOT_FOUND, "unknown model", ask("hi", 5).setModel("gpt-17").build());
        expect(Status.Code.INVALID_ARGUMENT, "-token context", ask("word ".repeat(2100), 256).build());
        expect(Status.Code.INVALID_ARGUMENT, "characters", ask("x".repeat(32_001), 5).build());
    }

    private void expect(Status.Code code, String message, GenerateRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.generate(request));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    @Test
    void restAndServerSentEvents() {
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":8,\"temperature\":0}")
                .post("/v1/generate").then().statusCode(200)
                .body("model", equalTo("smollm2-135m-instruct"))
                .body("usage.completion_tokens", greaterThan(0))
                .body("timing.total_us", greaterThan(0));
        String sse = given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":8}")
                .post("/v1/generate/stream").then().statusCode(200).contentType(containsString("text/event-stream"))
                .extract().asString();
        assertTrue(sse.contains("data:{\"delta\":"), sse);
        assertTrue(sse.contains("\"done\":{"), sse);
    }

    @Test
    void badRestRequestsGetProblemBodies() {
        problem("{\"messages\":[]}", 400, "at least one message");
        problem("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"nope\"}", 404, "unknown model");
        problem("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-1}", 400, "max_tokens");
        problem("{\"messages\":", 400, "not valid JSON");
        problem("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"system\",\"content\":\"y\"}]}", 400,
                "system message may only come first");
        problem("", 400, "request body is required");
    }

    private static void problem(String body, int status, String detail) {
        given().contentType(ContentType.JSON).body(body).post("/v1/generate").then().statusCode(status)
                .contentType("application/problem+json").body("detail", containsString(detail))
                .body(not(containsString("Exception")));
    }

    /** The OpenAI-compatible API: models, chat completion (same greedy text as /v1/generate), stream, errors. */
    @Test
    void openAiCompatibleChatCompletions() {
        given().get("/v1/models").then().statusCode(200).body("data[0].id", equalTo("smollm2-135m-instruct"));
        String ask = "{\"model\":\"smollm2-135m-instruct\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Name a colour.\"}],\"max_tokens\":12,\"temperature\":0";
        String viaGenerate = given().contentType(ContentType.JSON).body(ask + "}").post("/v1/generate").then()
                .statusCode(200).extract().path("text");
        given().contentType(ContentType.JSON).body(ask + "}").post("/v1/chat/completions").then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo(viaGenerate))
                .body("choices[0].finish_reason", org.hamcrest.Matchers.oneOf("stop", "length"))
                .body("usage.total_tokens", greaterThan(0));
        String sse = given().contentType(ContentType.JSON)
                .body(ask + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")
                .post("/v1/chat/completions").then().statusCode(200).contentType(containsString("text/event-stream"))
                .extract().asString();
        StringBuilder streamed = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {") && line.contains("\"content\"")) {
                streamed.append(io.restassured.path.json.JsonPath.from(line.substring(6))
                        .getString("choices[0].delta.content"));
            }
        }
        assertEquals(viaGenerate, streamed.toString());
        assertTrue(sse.contains("\"usage\":{"), sse);
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
        given().contentType(ContentType.JSON).body("{\"messages\":[]}").post("/v1/chat/completions").then()
                .statusCode(400).contentType("application/problem+json")
                .body("error.message", containsString("at least one message"))
                .body("error.type", equalTo("invalid_request_error"));
        given().contentType(ContentType.JSON).body("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"stream\":true}").post("/v1/chat/completions").then()
                .statusCode(404).body("error.message", containsString("unknown model"));
        given().contentType(ContentType.JSON).body("{\"messages\":").post("/v1/chat/completions").then()
                .statusCode(400).body("detail", containsString("malformed JSON"));
    }

    @Test
    void healthAndMetrics() {
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        grpc.generate(ask("hi", 8).setSampling(SamplingParams.newBuilder().setMaxTokens(8).setIgnoreEos(true)).build());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("rag_generation_time_to_first_token_seconds_count{adapter=\"none\""))
                .body(containsString("rag_generation_inter_token_latency_seconds_count{adapter=\"none\",model=\"smollm2-135m-instruct\"}"))
                .body(containsString("rag_generation_decode_tokens_per_second_count"))
                .body(containsString("rag_generation_queue_depth{model=\"smollm2-135m-instruct\"}"))
                .body(containsString("rag_generation_slots_active{model=\"smollm2-135m-instruct\"}"));
    }

    @Test
    void ignoreEosGeneratesExactlyMaxTokens() {
        GenerateResponse r = grpc.generate(ask("Say yes.", 40).setSampling(SamplingParams.newBuilder().setMaxTokens(40)
                .setTemperature(0f).setIgnoreEos(true)).build());
        assertEquals(40, r.getUsage().getCompletionTokens());
        assertEquals("length", r.getFinishReason());
    }

    /** Grammar and JSON Schema constrained output (llama.cpp's GBNF sampler), over gRPC, REST and OpenAI's API. */
    @Test
    void constrainedOutputFollowsTheGrammarOrSchema() throws Exception {
        GenerateResponse yesNo = grpc.generate(ask("Is the sky blue? Answer yes or no.", 8)
                .setGrammar("root ::= \"yes\" | \"no\"").build());
        assertTrue(List.of("yes", "no").contains(yesNo.getText()), yesNo.getText());

        String schema = "{\"type\":\"object\",\"properties\":{\"capital\":{\"type\":\"string\",\"maxLength\":20}},"
                + "\"required\":[\"capital\"],\"additionalProperties\":false}";
        String text = given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is the capital of France? Answer in JSON.\"}],\"max_tokens\":48,\"temperature\":0,"
                + "\"json_schema\":" + schema + "}").post("/v1/generate").then().statusCode(200).extract().path("text");
        var parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        assertEquals(List.of("capital"), iterate(parsed.fieldNames()), text);
        assertTrue(parsed.get("capital").isTextual(), text);

        String openAi = given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is the capital of Spain? Answer in JSON.\"}],\"max_tokens\":48,\"temperature\":0,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"city\",\"schema\":" + schema
                + "}}}").post("/v1/chat/completions").then().statusCode(200).extract().path("choices[0].message.content");
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(openAi).has("capital"), openAi);

        expect(Status.Code.INVALID_ARGUMENT, "grammar: expecting ')'", ask("hi", 8).setGrammar("root ::= (").build());
        expect(Status.Code.INVALID_ARGUMENT, "not both", ask("hi", 8).setGrammar("root ::= \"a\"")
                .setJsonSchema("{}").build());
        expect(Status.Code.INVALID_ARGUMENT, "json_schema is not JSON", ask("hi", 8).setJsonSchema("{nope").build());
        problem("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"json_schema\":[1]}", 400, "JSON object");
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"response_format\":{\"type\":\"xml\"}}").post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("response_format.type"));
        // The service still answers after the refusals.
        assertFalse(grpc.generate(ask("Say hi.", 4).build()).getText().isEmpty());
    }

    private static List<String> iterate(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** A client that drops an OpenAI stream frees its slot at once; the next request runs without waiting. */
    @Test
    void openAiStreamCancelledByTheClientFreesItsSlot() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a very long story.\"}],"
                + "\"max_tokens\":1000,\"ignore_eos\":true,\"stream\":true}";
        List<java.io.InputStream> streams = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:18083/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            java.io.InputStream in = response.body();
            // Read until some generated text has arrived: the request holds a slot now.
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            int contentLines = 0;
            String line;
            while (contentLines < 3 && (line = reader.readLine()) != null) {
                if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    contentLines++;
                }
            }
            streams.add(in);
        }
        assertEquals(2.0, GenerationCancellationTest.slotsActive(), "both streams hold a slot");
        for (java.io.InputStream in : streams) {
            in.close();
        }
        // 1000 tokens would take many seconds; freed slots show within a few decode steps.
        await().atMost(Duration.ofSeconds(10)).until(() -> GenerationCancellationTest.slotsActive() == 0.0);
        GenerateResponse after = grpc.generate(ask("Say hi.", 4).build());
        assertTrue(after.getTiming().getQueueUs() < 1_000_000, "no wait for a slot: " + after.getTiming());
    }
}
