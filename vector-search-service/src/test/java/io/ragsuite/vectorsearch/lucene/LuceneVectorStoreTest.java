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

    /**
     * Plain dense queries go to each segment's HNSW graph directly (LuceneCollection.nearest): over several
     * segments with deleted points, the answers are the exact nearest neighbours (a small collection searched
     * with a large ef) and deleted points never come back.
     */
    @Test
    void directGraphSearchOverSegmentsWithDeletesFindsExactNeighbours() throws Exception {
        java.util.Random rnd = new java.util.Random(11);
        java.util.List<io.ragsuite.vectorsearch.core.Point> all = new java.util.ArrayList<>();
        try (io.ragsuite.vectorsearch.core.VectorStore store = open()) {
            io.ragsuite.vectorsearch.core.VectorCollection c = store.create(io.ragsuite.vectorsearch.core.CollectionSpec.of(
                    "segs", 16, io.ragsuite.vectorsearch.core.Metric.COSINE, 0, 0, 0, null, 4096));
            for (int batch = 0; batch < 4; batch++) {  // one commit per batch: several segments
                java.util.List<io.ragsuite.vectorsearch.core.Point> points = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = batch * 100 + i;
                    points.add(new io.ragsuite.vectorsearch.core.Point("p" + n, random(rnd, 16), "t", Map.of()));
                }
                c.upsert(points);
                all.addAll(points);
            }
            java.util.List<String> deleted = new java.util.ArrayList<>();
            for (int n = 0; n < 400; n += 7) {
                deleted.add("p" + n);
            }
            c.deleteIds(deleted);
            java.util.Set<String> gone = new java.util.HashSet<>(deleted);
            for (int q = 0; q < 20; q++) {
                float[] query = random(rnd, 16);
                java.util.List<String> exact = all.stream().filter(p -> !gone.contains(p.id()))
                        .sorted(java.util.Comparator.comparingDouble(p -> -cosineOf(query, p.vector())))
                        .limit(10).map(io.ragsuite.vectorsearch.core.Point::id).toList();
                java.util.List<String> found = c.search(io.ragsuite.vectorsearch.core.SearchQuery.dense(query, 10)
                        .withEfSearch(400)).stream().map(h -> h.point().id()).toList();
                assertEquals(exact, found, "query " + q);
            }
        }
    }

    private static double cosineOf(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
