package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When a second request's prompt starts, on the real binding and the shipped GGUF: beside a running answer at
 * once with {@code finishFirstTokens} 0 (continuous batching), after it with a threshold above the answer's cap
 * (the answer finishes first). Order of events only, no timings.
 */
class FinishFirstAdmissionTest {
    private static final Sampling SIXTY_FOUR = new Sampling(64, 0f, 1f, 0, 0f, 1f, 1, List.of(), true, null, null);

    /** Nanoseconds at which the running answer finished and the second request got its first piece. */
    private record Order(long firstFinished, long secondStarted) {
    }

    private static Order run(int finishFirstTokens) throws Exception {
        String model = System.getenv("RAG_GENERATION_MODEL_PATH");
        assumeTrue(model != null && Files.isRegularFile(Path.of(model)), "RAG_GENERATION_MODEL_PATH not set (./rag test sets it)");
        String template = GgufHeader.read(Path.of(model)).metadata().get("tokenizer.chat_template") instanceof String t ? t : null;
        try (LlamaCppEngine engine = new LlamaCppEngine("smollm2", Path.of(model),
                new LlamaCppEngine.Settings(2, 512, 1, 2, false, false, finishFirstTokens), template, List.of())) {
            CountDownLatch firstIsGenerating = new CountDownLatch(1);
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> {
                engine.complete(engine.prompt(List.of(new ChatTurn("user", "Tell me about the sea."))), SIXTY_FOUR,
                        piece -> {
                            firstIsGenerating.countDown();
                            return true;
                        });
                return System.nanoTime();
            });
            assertTrue(firstIsGenerating.await(60, TimeUnit.SECONDS), "the first answer did not start");
            AtomicLong secondStarted = new AtomicLong();
            CompletableFuture<GenerationEngine.Completion> second = CompletableFuture.supplyAsync(() -> engine.complete(
                    engine.prompt(List.of(new ChatTurn("user", "Name a colour."))), SIXTY_FOUR, piece -> {
                        secondStarted.compareAndSet(0, System.nanoTime());
                        return true;
                    }));
            long firstFinished = first.get(60, TimeUnit.SECONDS);
            assertEquals(64, second.get(60, TimeUnit.SECONDS).tokens());
            return new Order(firstFinished, secondStarted.get());
        }
    }

    @Test
    void withoutTheWaitASecondPromptStartsBesideTheRunningAnswer() throws Exception {
        Order order = run(0);
        assertTrue(order.secondStarted() < order.firstFinished(), "the second answer began only after the first ended");
    }

    @Test
    void aSecondPromptWaitsForAnAnswerWithinTheThresholdOfItsCap() throws Exception {
        Order order = run(1_000);
        assertTrue(order.secondStarted() > order.firstFinished(), "the second answer began before the first ended");
    }
}
