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

    /**
     * Points written before the payload doc value (id, text and metadata as stored fields, the raw vector a
     * doc value: the layout of the release before) are still read back by get, scroll and search, beside points written now, before and
     * after a merge puts both kinds in one segment; a text of the largest allowed size round-trips.
     */
    @Test
    void pointsOfTheStoredFieldsLayoutAreReadBesideNewOnes() throws Exception {
        java.util.Random rnd = new java.util.Random(5);
        float[] oldVector = random(rnd, 8);
        try (VectorStore store = open()) {
            store.create(CollectionSpec.of("mixed", 8, Metric.COSINE, 0, 0, 0, null, 4096));
        }
        Path index = dir.resolve("mixed").resolve("index");
        try (org.apache.lucene.index.IndexWriter w = new org.apache.lucene.index.IndexWriter(
                org.apache.lucene.store.FSDirectory.open(index),
                new org.apache.lucene.index.IndexWriterConfig(LuceneQueries.ANALYZER)
                        .setOpenMode(org.apache.lucene.index.IndexWriterConfig.OpenMode.APPEND))) {
            org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
            doc.add(new org.apache.lucene.document.StringField(LuceneQueries.ID, "old",
                    org.apache.lucene.document.Field.Store.YES));
            doc.add(new org.apache.lucene.document.SortedDocValuesField(LuceneQueries.ID,
                    new org.apache.lucene.util.BytesRef("old")));
            float[] unit = oldVector.clone();
            org.apache.lucene.util.VectorUtil.l2normalize(unit);
            doc.add(new org.apache.lucene.document.KnnFloatVectorField(LuceneQueries.VECTOR, unit,
                    org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
            java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(oldVector);
            doc.add(new org.apache.lucene.document.BinaryDocValuesField(LuceneQueries.RAW_VECTOR,
                    new org.apache.lucene.util.BytesRef(raw.array())));
            doc.add(new org.apache.lucene.document.StoredField(LuceneQueries.TEXT, "old text"));
            doc.add(new org.apache.lucene.document.StringField(LuceneQueries.metaField("era"), "before",
                    org.apache.lucene.document.Field.Store.YES));
            w.addDocument(doc);
            w.commit();
        }
        String longText = "\u00e9t\u00e9 \ud83d\ude00 ".repeat(LIMITS.maxTextChars() / 8);
        Point fresh = new Point("new", random(rnd, 8), longText, Map.of("era", "after", "k2", "v2"));
        try (VectorStore store = open()) {
            VectorCollection c = store.get("mixed");
            c.upsert(List.of(fresh));
            for (int round = 0; round < 2; round++) {  // several segments, then one merged
                List<Point> got = c.get(List.of("old", "new"), true);
                Point old = got.stream().filter(p -> p.id().equals("old")).findFirst().orElseThrow();
                Point now = got.stream().filter(p -> p.id().equals("new")).findFirst().orElseThrow();
                assertEquals("old text", old.text());
                assertEquals(Map.of("era", "before"), old.metadata());
                assertTrue(java.util.Arrays.equals(oldVector, old.vector()));
                assertEquals(longText, now.text());
                assertEquals(fresh.metadata(), now.metadata());
                assertTrue(java.util.Arrays.equals(fresh.vector(), now.vector()));
                assertEquals(List.of("new", "old"), c.scroll(null, 10, null, false).points().stream()
                        .map(Point::id).toList());
                var hits = c.search(io.ragsuite.vectorsearch.core.SearchQuery.dense(oldVector, 2));
                assertEquals("old", hits.get(0).point().id());
                assertEquals("old text", hits.get(0).point().text());
                assertEquals(1.0, hits.get(0).score(), 1e-5);
                assertEquals(Map.of("era", "after", "k2", "v2"), hits.get(1).point().metadata());
                var filtered = c.search(io.ragsuite.vectorsearch.core.SearchQuery.dense(oldVector, 2)
                        .withFilter(new io.ragsuite.vectorsearch.core.MetadataFilter.Match("era", java.util.Set.of("after"))));
                assertEquals(List.of("new"), filtered.stream().map(h -> h.point().id()).toList());
                c.optimize();
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
