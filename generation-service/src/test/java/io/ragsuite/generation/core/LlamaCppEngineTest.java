package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's own scheduling over the real llama.cpp binding and the shipped GGUF (path from
 * {@code RAG_GENERATION_MODEL_PATH}, set by {@code ./rag test}): more requests than slots, the prompt cache,
 * stop strings, a grammar llama.cpp rejects, and a caller that stops listening. The service tests
 * (GenerationServiceTest, GreedyGoldenTest, LoraAdapterTest, GenerationCancellationTest) cover it through the
 * routes.
 */
class LlamaCppEngineTest {
    private static final String SYSTEM = "You are a helpful assistant. Answer in one short sentence, using only "
            + "what you know for certain, and say so when you do not know.";
    private static LlamaCppEngine engine;

    @BeforeAll
    static void load() throws Exception {
        String model = System.getenv("RAG_GENERATION_MODEL_PATH");
        assumeTrue(model != null && Files.isRegularFile(Path.of(model)), "RAG_GENERATION_MODEL_PATH not set (./rag test sets it)");
        GgufHeader header = GgufHeader.read(Path.of(model));
        String template = header.metadata().get("tokenizer.chat_template") instanceof String t ? t : null;
        engine = new LlamaCppEngine("smollm2", Path.of(model), new LlamaCppEngine.Settings(2, 512, 1, 2, true, false),
                template, List.of());
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static GenerationEngine.Prompt prompt(String question) {
        return engine.prompt(List.of(new ChatTurn("system", SYSTEM), new ChatTurn("user", question)));
    }

    private static Sampling sampling(int maxTokens, float temperature, List<String> stop) {
        return new Sampling(maxTokens, temperature, 1f, 0, 0f, 1f, 7, stop);
    }

    private static String answer(GenerationEngine.Prompt p, Sampling s) {
        StringBuilder text = new StringBuilder();
        engine.complete(p, s, piece -> text.append(piece) != null);
        return text.toString();
    }

    @Test
    void moreConcurrentRequestsThanSlotsAllFinish() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<GenerationEngine.Completion>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                GenerationEngine.Prompt p = prompt("Name a colour, number " + i + ".");
                calls.add(pool.submit(() -> engine.complete(p, sampling(12, 0.5f, List.of()), piece -> true)));
            }
            for (Future<GenerationEngine.Completion> call : calls) {
                GenerationEngine.Completion c = call.get();
                assertTrue(c.tokens() > 0 && c.tokens() <= 12, "tokens " + c.tokens());
                assertTrue(c.finishReason().equals("stop") || c.finishReason().equals("length"), c.finishReason());
                assertTrue(c.promptTokens() > 40, "prompt tokens " + c.promptTokens());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSharedPrefixIsEvaluatedOncePerSlot() {
        answer(prompt("What is the capital of Italy?"), sampling(4, 0.5f, List.of()));
        long evaluated = engine.promptTokensEvaluated();
        long cached = engine.promptTokensCached();
        GenerationEngine.Prompt second = prompt("What is the capital of Spain?");
        answer(second, sampling(4, 0.5f, List.of()));
        long reused = engine.promptTokensCached() - cached;
        // The system prompt and the question's first words come from the cache; only the rest is evaluated.
        assertTrue(reused > 30, "reused " + reused + " of " + second.tokens());
        assertEquals(second.tokens() - reused, engine.promptTokensEvaluated() - evaluated);
    }

    @Test
    void greedyRequestsNeverUseTheCacheAndRepeat() {
        GenerationEngine.Prompt p = prompt("What is the capital of France?");
        String first = answer(p, sampling(16, 0f, List.of()));
        long cached = engine.promptTokensCached();
        String again = answer(p, sampling(16, 0f, List.of()));
        assertEquals(cached, engine.promptTokensCached());
        assertEquals(first, again);
    }

    @Test
    void anAnswerEndsBeforeItsStopString() {
        GenerationEngine.Prompt p = prompt("List the days of the week, one per line.");
        String full = answer(p, sampling(40, 0f, List.of()));
        int cut = full.indexOf("day");
        assumeTrue(cut > 0, "the answer has no 'day': " + full);
        StringBuilder text = new StringBuilder();
        GenerationEngine.Completion c = engine.complete(p, sampling(40, 0f, List.of("day")), piece -> text.append(piece) != null);
        assertEquals(full.substring(0, cut), text.toString());
        assertEquals("stop", c.finishReason());
    }

    @Test
    void aGrammarLlamaCppCannotParseIsRefusedBeforeDecoding() {
        Sampling bad = new Sampling(8, 0f, 1f, 0, 0f, 1f, null, List.of(), false, "root ::= undefined-rule", null);
        ServiceException e = assertThrows(ServiceException.class, () -> answer(prompt("Hello"), bad));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void aJsonSchemaConstrainsTheAnswer() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
        Sampling s = new Sampling(40, 0f, 1f, 0, 0f, 1f, null, List.of(), false, null, schema);
        String out = answer(prompt("Which city is the capital of France? Answer in JSON."), s);
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        assertTrue(node.get("city").isTextual(), out);
    }

    @Test
    void aCallerThatStopsListeningGetsCancelledAndFreesItsSlot() {
        List<String> pieces = new ArrayList<>();
        GenerationEngine.Completion c = engine.complete(prompt("Tell me a long story."),
                new Sampling(500, 0.5f, 1f, 0, 0f, 1f, 3, List.of(), true, null, null), piece -> pieces.add(piece) && pieces.size() < 3);
        assertEquals("cancelled", c.finishReason());
        assertTrue(c.tokens() < 50, "tokens " + c.tokens());
        // Both slots are usable at once right after: the cancelled sequence left its slot.
        assertFalse(answer(prompt("Say hi."), sampling(4, 0.5f, List.of())).isEmpty());
    }

    @Test
    void aListenerThatThrowsStopsItsSequence() throws Exception {
        int[] pieces = {0};
        assertThrows(IllegalStateException.class, () -> engine.complete(prompt("Tell me a long story."),
                new Sampling(500, 0.5f, 1f, 0, 0f, 1f, 3, List.of(), true, null, null), piece -> {
                    if (++pieces[0] == 2) {
                        throw new IllegalStateException("the client's connection broke");
                    }
                    return true;
                }));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (engine.activeSequences() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.activeSequences());
    }
}
