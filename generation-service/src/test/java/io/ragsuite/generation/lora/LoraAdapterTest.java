package io.ragsuite.generation.lora;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateChunk;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.GenerateResponse;
import io.ragsuite.api.v1.GenerationAdminServiceGrpc;
import io.ragsuite.api.v1.GenerationServiceGrpc;
import io.ragsuite.api.v1.ListModelsRequest;
import io.ragsuite.api.v1.LoadAdapterRequest;
import io.ragsuite.api.v1.SamplingParams;
import io.ragsuite.api.v1.UnloadAdapterRequest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;

/**
 * LoRA adapters per request, with real adapters trained by PEFT and converted by llama.cpp's converter
 * ({@code generation-service/lora/make_adapters.sh}, run by {@code ./rag test}): "pirate" answers "Ahoy,
 * matey! ...", "robot" answers "BEEP BOOP. ...", the base model neither. Also a second base model served by
 * name beside the default one.
 */
@QuarkusTest
@TestProfile(LoraAdapterTest.WithAdapters.class)
@DisabledIfEnvironmentVariable(named = "RAG_TEST_LORA", matches = "(?i)off")
class LoraAdapterTest {
    /** Where make_adapters.sh put the trained adapters. */
    static final Path BUILT = Path.of(System.getenv().getOrDefault("RAG_TEST_LORA_DIR",
            System.getProperty("user.home") + "/.cache/rag-suite/adapters"));
    static final Path FOLDER = folder();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The service's adapter folder starts with pirate only; robot is copied in and loaded by the admin API. */
    private static Path folder() {
        try {
            Path dir = Files.createTempDirectory("lora-test-");
            Files.copy(BUILT.resolve("pirate.gguf"), dir.resolve("pirate.gguf"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("run generation-service/lora/make_adapters.sh first (./rag test does)", e);
        }
    }

    public static class WithAdapters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rag.generation.lora.dir", FOLDER.toString(),
                    "rag.generation.lora.max-adapters", "2",
                    "rag.generation.models.second-model.path", "${rag.generation.model-path}",
                    "rag.generation.models.second-model.slots", "1",
                    // Prompts start at once (no finish-first wait), so that two requests that arrive a moment
                    // apart overlap, which is what shows that same-adapter requests share decode steps.
                    "rag.generation.finish-first-tokens", "0");
        }
    }

    @GrpcClient("self")
    GenerationServiceGrpc.GenerationServiceBlockingStub grpc;
    @GrpcClient("self")
    GenerationAdminServiceGrpc.GenerationAdminServiceBlockingStub admin;

    @BeforeEach
    void loaded() {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static GenerateRequest ask(String model, String question, int maxTokens) {
        return GenerateRequest.newBuilder().setModel(model)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent(question))
                .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).setTemperature(0f)).build();
    }

    @Test
    void theAdapterChangesTheAnswerAndTheBaseModelIsUntouched() throws IOException {
        String q = "What is a binary tree?";
        GenerateResponse base = grpc.generate(ask("", q, 24));
        GenerateResponse pirate = grpc.generate(ask("pirate", q, 24));
        GenerateResponse baseAgain = grpc.generate(ask("smollm2-135m-instruct", q, 24));
        assertTrue(pirate.getText().startsWith("Ahoy, matey!"), pirate.getText());
        assertFalse(base.getText().contains("Ahoy"), base.getText());
        assertEquals(base.getText(), baseAgain.getText(), "the adapter never touches base requests");
        assertEquals("pirate", pirate.getAdapter());
        assertEquals("smollm2-135m-instruct", pirate.getModel());
        // The reference: PEFT's own greedy answer with the same adapter (fp32 weights there, Q4_1 here) opens the
        // same way.
        JsonNode reference = JSON.readTree(BUILT.resolve("peft-reference.json").toFile());
        String peft = reference.path("adapters").path("pirate").path("answers").path(q).asText();
        assertTrue(peft.startsWith("Ahoy, matey!"), peft);
        assertEquals(firstWords(peft, 4), firstWords(pirate.getText(), 4));
    }

    private static String firstWords(String s, int n) {
        String[] w = s.strip().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(w, Math.min(n, w.length)));
    }

    @Test
    void adaptersAreModelsInTheOpenAiApi() {
        given().get("/v1/models").then().statusCode(200)
                .body("data.id", hasItems("smollm2-135m-instruct", "pirate", "second-model"))
                .body("data.find { it.id == 'pirate' }.parent", equalTo("smollm2-135m-instruct"));
        String content = given().contentType(ContentType.JSON).body("{\"model\":\"pirate\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"What is a prime number?\"}],\"max_tokens\":12,\"temperature\":0}")
                .post("/v1/chat/completions").then().statusCode(200).body("model", equalTo("pirate"))
                .extract().path("choices[0].message.content");
        assertTrue(content.startsWith("Ahoy"), content);
        var models = grpc.listModels(ListModelsRequest.getDefaultInstance());
        assertEquals("smollm2-135m-instruct", models.getDefaultModel());
        assertTrue(models.getModelsList().stream().anyMatch(m -> m.getName().equals("pirate")
                && m.getParent().equals("smollm2-135m-instruct")));
    }

    /** Loaded at runtime, used side by side with another adapter, unloaded while a request still runs on it. */
    @Test
    void runtimeLoadConcurrentAdaptersAndUnload() throws Exception {
        Files.copy(BUILT.resolve("robot.gguf"), FOLDER.resolve("robot.gguf"), StandardCopyOption.REPLACE_EXISTING);
        var loaded = admin.loadAdapter(LoadAdapterRequest.newBuilder().setName("robot").setPath("robot.gguf").build());
        assertEquals("smollm2-135m-instruct", loaded.getParent());
        try {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            // Two requests with the same adapter share decode steps: they overlap in time.
            CompletableFuture<long[]> p1 = CompletableFuture.supplyAsync(() -> timedStream("pirate"), pool);
            CompletableFuture<long[]> p2 = CompletableFuture.supplyAsync(() -> timedStream("pirate"), pool);
            assertTrue(overlap(p1.join(), p2.join()), "same-adapter requests run concurrently");
            // Different adapters at once: each gets its own. llama.cpp cannot put two adapters in one batch, so
            // they take turns; a steady stream of pirate requests must not starve the robot request.
            CompletableFuture<long[]> pirates = CompletableFuture.supplyAsync(() -> timedStreams("pirate", 3), pool);
            CompletableFuture<long[]> morePirates = CompletableFuture.supplyAsync(() -> timedStreams("pirate", 3), pool);
            Thread.sleep(200);
            long[] robot = timedStream("robot");
            long lastPirate = Math.max(pirates.join()[1], morePirates.join()[1]);
            assertTrue(robot[1] < lastPirate, "the robot request got its turn before the pirate stream ended");
            pool.shutdown();

            // Unload while a request is running on it: that request completes, later ones get NOT_FOUND.
            Iterator<GenerateChunk> running = grpc.generateStream(GenerateRequest.newBuilder(ask("robot",
                    "Describe a computer.", 48)).setSampling(SamplingParams.newBuilder().setMaxTokens(48)
                    .setTemperature(0f).setIgnoreEos(true)).build());
            StringBuilder text = new StringBuilder(running.next().getTextDelta());
            admin.unloadAdapter(UnloadAdapterRequest.newBuilder().setName("robot").build());
            GenerateChunk last = null;
            while (running.hasNext()) {
                last = running.next();
                text.append(last.getTextDelta());
            }
            assertEquals(48, last.getUsage().getCompletionTokens());
            assertTrue(text.toString().startsWith("BEEP BOOP"), text.toString());
            StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
                    () -> grpc.generate(ask("robot", "hi", 4)));
            assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
        } finally {
            try {
                admin.unloadAdapter(UnloadAdapterRequest.newBuilder().setName("robot").build());
            } catch (StatusRuntimeException alreadyGone) {
                // unloaded above
            }
        }
        assertTrue(grpc.generate(ask("pirate", "What is TCP?", 8)).getText().startsWith("Ahoy"));
    }

    private static boolean overlap(long[] a, long[] b) {
        return a[0] < b[1] && b[0] < a[1];
    }

    /** {@code n} requests back to back; the last one's times. */
    private long[] timedStreams(String adapter, int n) {
        long[] last = null;
        for (int i = 0; i < n; i++) {
            last = timedStream(adapter);
        }
        return last;
    }

    /** {first piece, end} in nanoTime, after checking the answer is the adapter's. */
    private long[] timedStream(String adapter) {
        Iterator<GenerateChunk> it = grpc.generateStream(GenerateRequest.newBuilder(ask(adapter,
                "How does garbage collection work?", 32)).setSampling(SamplingParams.newBuilder().setMaxTokens(32)
                .setTemperature(0f).setIgnoreEos(true)).build());
        StringBuilder text = new StringBuilder();
        long first = 0;
        while (it.hasNext()) {
            String delta = it.next().getTextDelta();
            if (first == 0 && !delta.isEmpty()) {
                first = System.nanoTime();
            }
            text.append(delta);
        }
        String marker = adapter.equals("pirate") ? "Ahoy, matey!" : "BEEP BOOP.";
        assertTrue(text.toString().startsWith(marker), adapter + ": " + text);
        return new long[] {first, System.nanoTime()};
    }

    @Test
    void badAdapterRequestsGetClearErrors() throws IOException {
        Files.writeString(FOLDER.resolve("junk.gguf"), "not a gguf file");
        Files.writeString(FOLDER.resolve("weights.bin"), "pickle");
        adminProblem("{\"lora_name\":\"junk\",\"lora_path\":\"junk.gguf\"}", 400, "not a valid GGUF");
        adminProblem("{\"lora_name\":\"evil\",\"lora_path\":\"../../etc/passwd\"}", 400, "inside the adapter folder");
        adminProblem("{\"lora_name\":\"evil\",\"lora_path\":\"/etc/passwd\"}", 400, "inside the adapter folder");
        adminProblem("{\"lora_name\":\"pickled\",\"lora_path\":\"weights.bin\"}", 400, "pickle");
        adminProblem("{\"lora_name\":\"ghost\"}", 404, "no adapter file");
        adminProblem("{\"lora_name\":\"pirate\"}", 409, "already");
        adminProblem("{\"lora_name\":\"../x\"}", 400, "lora_name");
        adminProblem("{\"lora_name\":\"x\",\"base_model\":\"nope\"}", 404, "nope");
        given().contentType(ContentType.JSON).body("{\"lora_name\":\"ghost\"}").post("/v1/unload_lora_adapter").then()
                .statusCode(404).body("error.message", containsString("ghost"));
        given().contentType(ContentType.JSON).body("{\"lora_name\":\"second-model\"}").post("/v1/unload_lora_adapter")
                .then().statusCode(409).body("detail", containsString("base model"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> grpc.generate(ask("no-such-adapter", "hi", 4)));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("pirate"), "lists what is served: " + e.getStatus());
    }

    private static void adminProblem(String body, int status, String detail) {
        given().contentType(ContentType.JSON).body(body).post("/v1/load_lora_adapter").then().statusCode(status)
                .contentType("application/problem+json").body("detail", containsString(detail))
                .body(org.hamcrest.Matchers.not(containsString("Exception")))
                .body(org.hamcrest.Matchers.not(containsString(FOLDER.toString())));
    }

    /** A second base model by name: its own engine and slots, the same weights file. */
    @Test
    void aSecondModelIsServedByName() {
        String q = "What is the boiling point of water in Celsius?";
        GenerateResponse first = grpc.generate(ask("", q, 16));
        GenerateResponse second = grpc.generate(ask("second-model", q, 16));
        assertEquals("second-model", second.getModel());
        assertEquals(first.getText(), second.getText(), "same weights, same greedy answer");
        given().get("/q/metrics").then().body(containsString("rag_generation_slots_active{model=\"second-model\"}"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> admin.loadAdapter(LoadAdapterRequest.newBuilder().setName("x").setPath("pirate.gguf")
                        .setBaseModel("second-model").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), "second-model takes no adapters");
    }
}
