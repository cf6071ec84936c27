package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's part of cancellation, with a one-slot engine that decodes until told to stop (a stand-in: the
 * real engine's part is GenerationCancellationTest): a request whose caller left while it waited for the slot
 * never reaches the engine, and a running one stops at the next token once its caller is gone.
 */
class GenerationSchedulerCancellationTest {
    /** One slot; each call counts, emits a token every millisecond until the listener says stop or 10 s pass. */
    static final class EndlessEngine implements GenerationEngine {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch decoding = new CountDownLatch(1);

        @Override
        public String modelName() {
            return "endless";
        }

        @Override
        public String backend() {
            return "test";
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public int contextPerSlot() {
            return 4096;
        }

        @Override
        public Prompt prompt(List<ChatTurn> turns) {
            return new Prompt(turns, turns.get(0).content(), 3);
        }

        @Override
        public Completion complete(Prompt prompt, Sampling sampling, String adapter, TokenListener listener) {
            calls.incrementAndGet();
            decoding.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int tokens = 0;
            while (System.nanoTime() < end) {
                tokens++;
                if (!listener.onText("x")) {
                    return new Completion("cancelled", tokens);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return new Completion("length", tokens);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aCallerThatLeftWhileWaitingNeverReachesTheEngineAndARunningOneStops() throws Exception {
        EndlessEngine engine = new EndlessEngine();
        try (GenerationScheduler scheduler = new GenerationScheduler(engine, new GenerationLimits(16, 1024, 8, 1000, 4))) {
            Sampling sampling = Sampling.of(new Sampling.Requested(8, null, null, null, null, null, null, null, null, null,
                    null), scheduler.limits());
            var admitted = scheduler.admit(List.of(new ChatTurn("user", "hi")), null, sampling);
            AtomicBoolean firstGone = new AtomicBoolean();
            AtomicBoolean secondGone = new AtomicBoolean();
            CompletableFuture<GenerationResult> first = scheduler.submit(admitted, text -> true, firstGone::get);
            engine.decoding.await(5, TimeUnit.SECONDS);
            CompletableFuture<GenerationResult> second = scheduler.submit(admitted, text -> true, secondGone::get);
            secondGone.set(true);
            firstGone.set(true);
            assertEquals("cancelled", first.get(5, TimeUnit.SECONDS).finishReason());
            GenerationResult waited = second.get(5, TimeUnit.SECONDS);
            assertEquals("cancelled", waited.finishReason());
            assertEquals(0, waited.completionTokens());
            assertEquals(1, engine.calls.get(), "the request whose caller left while it waited never ran");
        }
    }
}
