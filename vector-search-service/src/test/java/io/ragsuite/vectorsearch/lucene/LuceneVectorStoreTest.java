package io.ragsuite.vectorsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.VectorCollection;
import io.ragsuite.vectorsearch.core.VectorStore;
import io.ragsuite.vectorsearch.core.VectorStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract on the Lucene backend, plus what only it has: folders on disk, group commit. */
class LuceneVectorStoreTest extends VectorStoreContract {
    @TempDir
    Path dir;

    @Override
    protected VectorStore open() throws Exception {
        return new LuceneVectorStore(dir, LIMITS);
    }

    @Override
    protected Map<Quantization, Double> quantizationRecall() {
        return Map.of(Quantization.INT8, 0.9, Quantization.INT4, 0.8, Quantization.BINARY, 0.7);
    }

    @Override
    protected void checkSizes(VectorCollection c) {
        Map<String, Long> parts = c.bytesByPart();
        assertTrue(parts.getOrDefault("raw_vectors", 0L) >= 3000L * 64 * Float.BYTES, parts.toString());
        if (c.spec().quantization() != Quantization.NONE) {
            assertTrue(parts.getOrDefault("quantized_vectors", 0L) < parts.get("raw_vectors") / 3, parts.toString());
            assertTrue(c.searchMemoryBytes() < parts.get("raw_vectors"), "search memory " + c.searchMemoryBytes());
        } else {
            assertTrue(c.searchMemoryBytes() > parts.get("raw_vectors"), "search memory " + c.searchMemoryBytes());
        }
    }

    /** Half-made collections (a crash during create or delete) are removed at the next start. */
    @Test
    void leftoversOfInterruptedCreatesAreCleaned() throws Exception {
        deletedCollectionsAreGoneAfterRestart();
        Files.createDirectories(dir.resolve(".creating-half-made"));
        try (VectorStore reopened = open()) {
            assertEquals(List.of("kept"), reopened.list().stream().map(c -> c.spec().name()).toList());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("kept"), files.map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder())
                    .toList());
        }
    }

    /** Group commit: concurrent writers share commits, every acknowledged write is durable. */
    @Test
    void groupCommitSharesCommitsAndKeepsEveryAcknowledgedWrite() throws Exception {
        int threads = 8;
        int writesEach = 20;
        try (LuceneVectorStore store = new LuceneVectorStore(dir, LIMITS, new CommitPolicy(true, 2000))) {
            LuceneCollection c = store.create(CollectionSpec.of("g", 4, Metric.COSINE, 0, 0, 0, null, 4096));
            long generationBefore = c.commitGeneration();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(id);
                    for (int i = 0; i < writesEach; i++) {
                        c.upsert(List.of(new Point(id + "-" + i, random(rnd, 4), "", Map.of())));
                    }
                }));
            }
            for (Thread w : writers) {
                w.join();
            }
            assertEquals(threads * writesEach, c.count());
            long commits = c.commitGeneration() - generationBefore;
            System.out.printf("group commit: %d writes in %d commits%n", threads * writesEach, commits);
            assertTrue(commits < threads * writesEach / 2, "writes shared commits: " + commits);
        }
        try (VectorStore reopened = open()) {
            assertEquals(threads * writesEach, reopened.get("g").count());
        }
    }
}
