package io.ragsuite.vectorsearch.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The store's domain behaviour, without any server, that every backend must show: persistence across a
 * reopen, filters, hybrid search, scroll, snapshots, validation. Each backend's test extends it.
 */
public abstract class VectorStoreContract {
    protected static final StoreLimits LIMITS = new StoreLimits(4096, 100, 1024, 100_000);

    /** Opens the store under test; a second call in the same test opens the same data again. */
    protected abstract VectorStore open() throws Exception;

    /** The quantizations the backend offers besides NONE, with the recall@10 each must reach in the test. */
    protected abstract Map<Quantization, Double> quantizationRecall();

    protected static float[] random(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void pointsSurviveAReopenAndSearchFindsExactNeighbours() throws Exception {
        Random rnd = new Random(7);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            points.add(new Point("p" + i, random(rnd, 16), "text " + i, Map.of("parity", i % 2 == 0 ? "even" : "odd")));
        }
        try (VectorStore store = open()) {
            store.create(CollectionSpec.of("c", 16, Metric.COSINE, 0, 0, 0, null, 4096)).upsert(points);
        }
        try (VectorStore reopened = open()) {
            VectorCollection c = reopened.get("c");
            assertEquals(300, c.count());
            Point stored = c.get(List.of("p42"), true).get(0);
            assertArrayEquals(points.get(42).vector(), stored.vector());
            assertEquals("text 42", stored.text());
            assertEquals(Map.of("parity", "even"), stored.metadata());

            // A stored vector is its own nearest neighbour with cosine 1.
            List<ScoredPoint> hits = c.search(points.get(42).vector(), 5, null, false);
            assertEquals("p42", hits.get(0).point().id());
            assertEquals(1.0, hits.get(0).score(), 1e-5);
            // Scores come back in the metric's terms, best first, and agree with a brute-force cosine.
            for (ScoredPoint hit : hits) {
                int idx = Integer.parseInt(hit.point().id().substring(1));
                assertEquals(cosine(points.get(42).vector(), points.get(idx).vector()), hit.score(), 1e-4);
            }
        }
    }

    @Test
    void filtersRestrictTheGraphSearch() throws Exception {
        Random rnd = new Random(1);
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("f", 8, Metric.L2, 0, 0, 0, null, 4096));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                points.add(new Point("p" + i, random(rnd, 8), "", Map.of("bucket", Integer.toString(i % 4))));
            }
            c.upsert(points);
            MetadataFilter onlyBucket1or2 = new MetadataFilter.Bool(
                    List.of(new MetadataFilter.Match("bucket", Set.of("1", "2"))), List.of(), List.of());
            List<ScoredPoint> hits = c.search(random(rnd, 8), 20, onlyBucket1or2, false);
            assertEquals(20, hits.size());
            hits.forEach(h -> assertTrue(Set.of("1", "2").contains(h.point().metadata().get("bucket"))));
            for (int i = 1; i < hits.size(); i++) {
                assertTrue(hits.get(i - 1).score() <= hits.get(i).score(), "L2 distances ascend");
            }
            MetadataFilter notBucket0 = new MetadataFilter.Bool(List.of(), List.of(),
                    List.of(new MetadataFilter.Match("bucket", Set.of("0"))));
            assertEquals(25, c.deleteMatching(new MetadataFilter.Bool(
                    List.of(new MetadataFilter.Match("bucket", Set.of("0"))), List.of(), List.of())));
            assertEquals(75, c.count());
            assertEquals(75, c.search(random(rnd, 8), 100, notBucket0, false).size());
        }
    }

    /** Optimize after loading in several commits: one segment (lucene), same points, searches still exact. */
    @Test
    void optimizeCompactsWithoutLosingPoints() throws Exception {
        Random rnd = new Random(9);
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("o", 8, Metric.COSINE, 0, 0, 0, null, 4096));
            List<Point> points = new ArrayList<>();
            for (int batch = 0; batch < 3; batch++) {
                List<Point> b = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    b.add(new Point(batch + "-" + i, random(rnd, 8), "", Map.of()));
                }
                c.upsert(b);
                points.addAll(b);
            }
            c.deleteIds(List.of("0-0"));
            VectorCollection.Optimized done = c.optimize();
            assertTrue(done.segmentsAfter() <= 1 && done.segmentsBefore() >= done.segmentsAfter(), done.toString());
            assertEquals(149, c.count());
            assertEquals("2-7", c.search(points.get(107).vector(), 1, null, false).get(0).point().id());
        }
    }

    @Test
    void rejectedBatchesWriteNothing() throws Exception {
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("v", 3, Metric.COSINE, 0, 0, 0, null, 4096));
            ServiceException nan = assertThrows(ServiceException.class, () -> c.upsert(List.of(
                    new Point("ok", new float[] {1, 0, 0}, "", null),
                    new Point("bad", new float[] {1, Float.NaN, 0}, "", null))));
            assertEquals(ErrorKind.INVALID_ARGUMENT, nan.kind());
            assertThrows(ServiceException.class, () -> c.upsert(List.of(new Point("d", new float[] {1, 0}, "", null))));
            assertThrows(ServiceException.class, () -> c.upsert(List.of(new Point("z", new float[] {0, 0, 0}, "", null))));
            assertEquals(0, c.count());
            assertEquals(ErrorKind.ALREADY_EXISTS, assertThrows(ServiceException.class,
                    () -> store.create(CollectionSpec.of("v", 3, Metric.COSINE, 0, 0, 0, null, 4096))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> CollectionSpec.of("../etc", 3, Metric.COSINE, 0, 0, 0, null, 4096)).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.search(new float[] {1, 0, 0}, 101, null, false)).kind());
        }
    }

    @Test
    protected void deletedCollectionsAreGoneAfterRestart() throws Exception {
        try (VectorStore store = open()) {
            store.create(CollectionSpec.of("gone", 3, Metric.DOT, 0, 0, 0, null, 4096));
            store.create(CollectionSpec.of("kept", 3, Metric.DOT, 0, 0, 0, null, 4096));
            store.delete("gone");
        }
        try (VectorStore reopened = open()) {
            assertEquals(List.of("kept"), reopened.list().stream().map(c -> c.spec().name()).toList());
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServiceException.class, () -> reopened.get("gone")).kind());
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * Each quantization against brute force: the top 10 of clustered 64-d vectors must mostly agree with the
     * exact top 10, and every returned score must be the exact full-precision cosine (rescoring), in order.
     */
    @Test
    void quantizedCollectionsRescoreToExactScores() throws Exception {
        Map<Quantization, Double> recall = new java.util.TreeMap<>(quantizationRecall());
        recall.put(Quantization.NONE, 0.95);
        for (Map.Entry<Quantization, Double> e : recall.entrySet()) {
            checkQuantized(e.getKey(), e.getValue());
        }
    }

    private void checkQuantized(Quantization quantization, double minRecall) throws Exception {
        Random rnd = new Random(11);
        int dim = 64;
        List<float[]> centres = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            centres.add(random(rnd, dim));
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = centres.get(i % centres.size()).clone();
            for (int d = 0; d < dim; d++) {
                v[d] += (float) (0.6 * rnd.nextGaussian());
            }
            points.add(new Point("p" + i, v, "", Map.of()));
        }
        String name = "q-" + quantization.label();
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of(name, dim, Metric.COSINE, 16, 100, 100, quantization, 4096));
            for (int i = 0; i < points.size(); i += 1000) {
                c.upsert(points.subList(i, i + 1000));
            }
        }
        try (VectorStore reopened = open()) {
            VectorCollection c = reopened.get(name);
            assertEquals(quantization, c.spec().quantization());
            int found = 0;
            int queries = 30;
            for (int q = 0; q < queries; q++) {
                float[] query = centres.get(q % centres.size()).clone();
                for (int d = 0; d < dim; d++) {
                    query[d] += (float) (0.6 * rnd.nextGaussian());
                }
                List<String> exact = points.stream()
                        .sorted(Comparator.comparingDouble((Point p) -> -cosine(query, p.vector())))
                        .limit(10).map(Point::id).toList();
                List<ScoredPoint> hits = c.search(query, 10, null, false);
                assertEquals(10, hits.size());
                float previous = Float.MAX_VALUE;
                for (ScoredPoint hit : hits) {
                    int idx = Integer.parseInt(hit.point().id().substring(1));
                    assertEquals(cosine(query, points.get(idx).vector()), hit.score(), 1e-4, "exact score after rescoring");
                    assertTrue(hit.score() <= previous, "best first");
                    previous = hit.score();
                    if (exact.contains(hit.point().id())) {
                        found++;
                    }
                }
            }
            double recall = found / (10.0 * queries);
            System.out.printf("%s %s: recall@10 %.3f, parts %s, search memory %d%n", reopened.backend(), quantization,
                    recall, c.bytesByPart(), c.searchMemoryBytes());
            assertTrue(recall >= minRecall, quantization + " recall@10 " + recall);
            checkSizes(c);
        }
    }

    /** Backend-specific checks of a filled collection's size report (3000 points of 64 dimensions). */
    protected abstract void checkSizes(VectorCollection c);

    @Test
    void efSearchAndMinScoreShapeResults() throws Exception {
        Random rnd = new Random(3);
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("s", 8, Metric.COSINE, 0, 0, 0, null, 4096));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                points.add(new Point("p" + i, random(rnd, 8), "", Map.of()));
            }
            c.upsert(points);
            float[] query = points.get(5).vector();
            List<ScoredPoint> all = c.search(SearchQuery.dense(query, 50).withEfSearch(400));
            assertEquals(50, all.size());
            float cut = all.get(9).score();
            List<ScoredPoint> above = c.search(SearchQuery.dense(query, 50).withEfSearch(400).withMinScore(cut));
            assertEquals(all.stream().filter(h -> h.score() >= cut).count(), above.size());
            assertTrue(above.stream().allMatch(h -> h.score() >= cut));
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.search(SearchQuery.dense(query, 5).withEfSearch(-1))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.search(SearchQuery.dense(query, 5).withMinScore(Float.NaN))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> CollectionSpec.of("odd", 7, Metric.COSINE, 0, 0, 0, Quantization.INT4, 4096)).kind());
        }
    }

    /** BM25 finds by words (stemmed), hybrid fuses both rankings, filters apply to both sides. */
    @Test
    void bm25AndHybridSearch() throws Exception {
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("h", 2, Metric.COSINE, 0, 0, 0, null, 4096));
            c.upsert(List.of(
                    new Point("cats", new float[] {1, 0}, "Cats are sleeping on the warm sofa", Map.of("lang", "en")),
                    new Point("dogs", new float[] {0.9f, 0.1f}, "A dog barks at the postman", Map.of("lang", "en")),
                    new Point("hash", new float[] {0, 1}, "A hash table maps keys to buckets", Map.of("lang", "en")),
                    new Point("katze", new float[] {0.95f, 0.05f}, "Die Katze schläft auf dem Sofa", Map.of("lang", "de"))));
            // "sleeps" matches "sleeping" through the English stemmer; stop words ("the") do not count.
            List<ScoredPoint> words = c.search(SearchQuery.bm25("the cat sleeps", 3));
            assertEquals("cats", words.get(0).point().id());
            assertEquals(1, words.size(), "only one text holds cat/sleep");
            assertEquals(List.of(), c.search(SearchQuery.bm25("the of and", 3)), "only stop words: no match");

            // Dense alone ranks "katze" second (closest vector); hybrid lifts "hash" for its words.
            float[] nearCats = {1, 0.02f};
            List<String> dense = c.search(SearchQuery.dense(nearCats, 4)).stream().map(h -> h.point().id()).toList();
            assertEquals(List.of("cats", "katze", "dogs", "hash"), dense);
            List<ScoredPoint> hybrid = c.search(SearchQuery.hybrid(nearCats, "hash table keys", 4));
            List<String> ids = hybrid.stream().map(h -> h.point().id()).toList();
            assertTrue(ids.indexOf("hash") < ids.indexOf("katze"), "hybrid order " + ids);
            // Fused scores: first dense rank 1 + no BM25 hit = 1/61; "hash" = 1/64 (dense rank 4) + 1/61.
            ScoredPoint hash = hybrid.stream().filter(h -> h.point().id().equals("hash")).findFirst().orElseThrow();
            assertEquals(1.0 / 64 + 1.0 / 61, hash.score(), 1e-6);
            // Weights: a dense-only weighting gives the dense order back.
            List<String> denseWeighted = c.search(SearchQuery.hybrid(nearCats, "hash table keys", 4).withWeights(1, 1e-6f))
                    .stream().map(h -> h.point().id()).toList();
            assertEquals(dense, denseWeighted);
            // Score-based fusions: "cats" is the dense winner with no BM25 hit; "hash" is the only BM25 hit
            // (normalised 1) and the weakest dense hit (normalised 0), so with equal weights both score 0.5.
            for (RankFusion.Fusion method : List.of(RankFusion.Fusion.RELATIVE_SCORE, RankFusion.Fusion.DBSF)) {
                List<ScoredPoint> fused = c.search(SearchQuery.hybrid(nearCats, "hash table keys", 4).withFusion(method));
                assertEquals(4, fused.size(), method + " " + fused);
                ScoredPoint first = fused.get(0);
                assertTrue(first.score() <= 1.0f && first.score() > 0, method + " scores lie in (0, 1]");
                List<String> denseOnly = c.search(SearchQuery.hybrid(nearCats, "hash table keys", 4)
                        .withFusion(method).withWeights(1, 0.001f)).stream().map(h -> h.point().id()).toList();
                assertEquals(dense, denseOnly, method + " with a dense-only weighting keeps the dense order");
            }
            // The filter applies to both sides.
            MetadataFilter german = new MetadataFilter.Match("lang", Set.of("de"));
            assertEquals(List.of("katze"), c.search(SearchQuery.hybrid(nearCats, "hash sofa", 4).withFilter(german))
                    .stream().map(h -> h.point().id()).toList());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.search(SearchQuery.bm25("", 3))).kind());
        }
    }

    /** Numeric ranges over metadata, count with and without a filter, and scrolling in id order. */
    @Test
    void rangesCountAndScroll() throws Exception {
        try (VectorStore store = open()) {
            VectorCollection c = store.create(CollectionSpec.of("r", 2, Metric.COSINE, 0, 0, 0, null, 4096));
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                String year = i % 50 == 0 ? "unknown" : Integer.toString(1990 + i % 30);
                points.add(new Point(String.format("doc-%03d", i), new float[] {1, i}, "",
                        Map.of("year", year, "score", Double.toString(i / 10.0))));
            }
            c.upsert(points);
            MetadataFilter nineties = new MetadataFilter.Range("year", 1990.0, null, null, 2000.0);
            long expected = points.stream().map(p -> p.metadata().get("year"))
                    .filter(y -> !y.equals("unknown") && Integer.parseInt(y) < 2000).count();
            assertEquals(expected, c.count(nineties));
            assertEquals(250, c.count(null));
            // gt is exclusive, lte inclusive; "unknown" is never a number.
            assertEquals(points.stream().filter(p -> Double.parseDouble(p.metadata().get("score")) > 2.5
                    && Double.parseDouble(p.metadata().get("score")) <= 3.0).count(),
                    c.count(new MetadataFilter.Range("score", null, 2.5, 3.0, null)));
            // Dense search respects a range inside the graph search.
            assertTrue(c.search(SearchQuery.dense(new float[] {1, 5}, 20).withFilter(nineties)).stream()
                    .allMatch(h -> Integer.parseInt(h.point().metadata().get("year")) < 2000));

            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            do {
                ScrollPage page = c.scroll(null, 64, after, false);
                page.points().forEach(p -> seen.add(p.id()));
                after = page.nextAfterId();
                pages++;
            } while (after != null);
            assertEquals(points.stream().map(Point::id).sorted().toList(), seen, "every point once, in id order");
            assertEquals(4, pages);
            ScrollPage filtered = c.scroll(nineties, 0, null, true);
            assertEquals(expected, filtered.points().size());
            assertEquals(2, filtered.points().get(0).vector().length);
            assertEquals(null, filtered.nextAfterId());

            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.count(new MetadataFilter.Range("year", null, null, null, null))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.count(new MetadataFilter.Range("year", 1.0, 0.5, null, null))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.scroll(null, 5000, null, false)).kind());
            assertEquals(null, PointChecks.asNumber("NaN"));
            assertEquals(null, PointChecks.asNumber("0x10"));
            assertEquals(-1.5e3, PointChecks.asNumber("-1.5e3"));
        }
    }

    /**
     * A snapshot taken while a writer keeps going holds every batch acknowledged before it was asked for,
     * none acknowledged after it returned, and no half batch; it restores into a new, working collection.
     */
    @Test
    void snapshotsWhileWritingRestoreWhatWasAcknowledged() throws Exception {
        try (VectorStore store = open()) {
            Quantization quantized = quantizationRecall().keySet().stream().sorted().findFirst().orElseThrow();
            VectorCollection c = store.create(CollectionSpec.of("live", 4, Metric.COSINE, 0, 0, 0, quantized, 4096));
            java.util.Set<Integer> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Random rnd = new Random(5);
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int b = 0; !stop.get(); b++) {
                    List<Point> batch = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        batch.add(new Point(b + "-" + i, random(rnd, 4), "", Map.of("batch", Integer.toString(b))));
                    }
                    c.upsert(batch);
                    acked.add(b);
                }
            });
            while (acked.size() < 5) {
                Thread.sleep(5);
            }
            java.util.Set<Integer> before = java.util.Set.copyOf(acked);
            SnapshotInfo info = store.snapshot("live");
            java.util.Set<Integer> after = java.util.Set.copyOf(acked);
            while (acked.size() < after.size() + 3) {
                Thread.sleep(5);
            }
            stop.set(true);
            writer.join();

            VectorCollection restored = store.restore("live", info.id(), "restored");
            assertEquals(quantized, restored.spec().quantization());
            assertEquals(info.pointCount(), restored.count());
            for (int b : acked) {
                long n = restored.count(new MetadataFilter.Match("batch", Set.of(Integer.toString(b))));
                assertTrue(n == 0 || n == 10, "batch " + b + " half there: " + n);
                if (before.contains(b)) {
                    assertEquals(10, n, "batch " + b + " was acknowledged before the snapshot");
                }
                if (!after.contains(b)) {
                    assertEquals(0, n, "batch " + b + " was acknowledged after the snapshot returned");
                }
            }
            assertTrue(c.count() > restored.count(), "the live collection went on");
            assertEquals(info.pointCount(), store.snapshots("live").get(0).pointCount());
            restored.upsert(List.of(new Point("new", new float[] {1, 0, 0, 0}, "", Map.of())));
            assertEquals(info.pointCount() + 1, restored.count());
            assertEquals(1, restored.get(List.of("new"), false).size());
            // 4-d sign bits tie for most points, so only check that the restored graph answers.
            assertEquals(10, restored.search(new float[] {1, 0, 0, 0}, 10, null, false).size());

            assertEquals(List.of(info.id()), store.snapshots("live").stream().map(SnapshotInfo::id).toList());
            assertEquals(ErrorKind.ALREADY_EXISTS, assertThrows(ServiceException.class,
                    () -> store.restore("live", info.id(), "restored")).kind());
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServiceException.class,
                    () -> store.restore("live", "20260101T000000000Z-00000000", "x")).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> store.restore("live", "../../etc", "x")).kind());
            store.deleteSnapshot("live", info.id());
            assertEquals(List.of(), store.snapshots("live"));
        }
        // The snapshot folder is not mistaken for a collection at the next start.
        try (VectorStore reopened = open()) {
            assertEquals(List.of("live", "restored"), reopened.list().stream().map(x -> x.spec().name()).toList());
        }
    }
}
