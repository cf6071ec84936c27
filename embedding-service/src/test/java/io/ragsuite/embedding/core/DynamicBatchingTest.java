package io.ragsuite.embedding.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.embedding.app.ModelLoader;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dynamic batching with the real all-MiniLM-L6-v2 model, on engines of the test's own. */
@QuarkusTest
class DynamicBatchingTest {
    private static EmbeddingModel model;

    @Inject
    ModelLoader loader;

    /**
     * Borrows the service's loaded model: the tokenizer's native library can be loaded by one class loader
     * only, and the Quarkus tests of this module load it first.
     */
    @BeforeEach
    void borrowModel() {
        await().atMost(Duration.ofSeconds(120)).until(loader::ready);
        model = loader.engine().model(null);
    }

    /** An engine over the service's model that leaves the model open when it closes. */
    private static EmbeddingEngine engine(EmbeddingLimits limits, EmbeddingEngine.BatchObserver observer) {
        EmbeddingModel shared = new EmbeddingModel() {
            public ModelSpec spec() { return model.spec(); }
            public int dimension() { return model.dimension(); }
            public String backend() { return model.backend(); }
            public List<TokenizedText> tokenize(List<String> texts) { return model.tokenize(texts); }
            public float[][] embed(List<TokenizedText> tokens) { return model.embed(tokens); }
            public void close() { }
        };
        return new EmbeddingEngine(List.of(shared), model.spec().name(), limits, observer);
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }

    @Test
    void concurrentRequestsShareBatchesAndGetTheSameVectorsAsAlone() throws Exception {
        List<int[]> calls = new CopyOnWriteArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            texts.add("Sentence " + i + " about " + (i % 2 == 0 ? "databases and indexes" : "a cat on a very long and winding road"));
        }
        try (EmbeddingEngine batched = engine(new EmbeddingLimits(64, 1000, 1, 64, 16384, 0.3, 50_000, 1024),
                (n, tokens) -> calls.add(new int[] {n, tokens}));
                EmbeddingEngine alone = engine(new EmbeddingLimits(64, 1000, 1, 1, 16384, 0.3, 0, 1024), (n, t) -> { })) {
            List<CompletableFuture<EmbeddingResult>> futures = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                futures.add(batched.embed(texts.subList(r * 3, r * 3 + 3), "", false));
            }
            for (int r = 0; r < 8; r++) {
                EmbeddingResult together = futures.get(r).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    float[] single = alone.embed(List.of(texts.get(r * 3 + i)), "", false).get(60, TimeUnit.SECONDS).vectors()[0];
                    assertEquals(1.0, dot(together.vectors()[i], single), 1e-5, "padding must not change a vector");
                }
            }
            assertTrue(calls.stream().anyMatch(c -> c[0] > 3), "requests were merged: "
                    + calls.stream().map(c -> c[0]).toList());
        }
    }

    @Test
    void tokenBudgetSplitsModelCallsAndSortsByLength() throws Exception {
        List<int[]> calls = new CopyOnWriteArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            texts.add(i % 3 == 0 ? String.join(" ", Collections.nCopies(150, "long")) : "short " + i);
        }
        try (EmbeddingEngine e = engine(new EmbeddingLimits(64, 10_000, 1, 64, 400, 0.3, 0, 1024),
                (n, tokens) -> calls.add(new int[] {n, tokens}))) {
            assertEquals(12, e.embed(texts, "", false).get(60, TimeUnit.SECONDS).vectors().length);
        }
        assertTrue(calls.size() >= 2, "split into several calls");
        calls.forEach(c -> assertTrue(c[1] <= 400 || c[0] == 1, "call over budget: " + c[0] + " texts, " + c[1] + " tokens"));
        // Sorted by length, the short texts share calls: far fewer padded tokens than 12 x the longest.
        assertTrue(calls.stream().mapToInt(c -> c[1]).sum() < 12 * 152, "padding stayed small");
    }

    @Test
    void aBadRequestFailsAloneAndAFullQueueRefusesAtOnce() throws Exception {
        try (EmbeddingEngine e = engine(new EmbeddingLimits(64, 10_000, 1, 64, 16384, 0.3, 50_000, 8), (n, t) -> { })) {
            CompletableFuture<EmbeddingResult> tooLong = e.embed(List.of(String.join(" ", Collections.nCopies(400, "w"))), "", false);
            CompletableFuture<EmbeddingResult> fine = e.embed(List.of("fine"), "", false);
            ExecutionException failure = assertThrows(ExecutionException.class, () -> tooLong.get(60, TimeUnit.SECONDS));
            assertEquals(ErrorKind.INVALID_ARGUMENT, ((ServiceException) failure.getCause()).kind());
            assertEquals(1, fine.get(60, TimeUnit.SECONDS).vectors().length);

            ExecutionException full = assertThrows(ExecutionException.class,
                    () -> e.embed(Collections.nCopies(9, "x"), "", false).get(5, TimeUnit.SECONDS));
            assertEquals(ErrorKind.RESOURCE_EXHAUSTED, ((ServiceException) full.getCause()).kind());
        }
    }
}
