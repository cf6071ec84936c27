package io.ragsuite.vectorsearch.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's domain behaviour, without any server: persistence, filters, metrics, validation. */
class CollectionStoreTest {
    private static final StoreLimits LIMITS = new StoreLimits(4096, 100, 1024, 100_000);

    @TempDir
    Path dir;

    private static float[] random(Random rnd, int dim) {
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
        try (CollectionStore store = new CollectionStore(dir, LIMITS)) {
            store.create(CollectionSpec.of("c", 16, Metric.COSINE, 0, 0, 4096)).upsert(points);
        }
        try (CollectionStore reopened = new CollectionStore(dir, LIMITS)) {
            LuceneCollection c = reopened.get("c");
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
        try (CollectionStore store = new CollectionStore(dir, LIMITS)) {
            LuceneCollection c = store.create(CollectionSpec.of("f", 8, Metric.L2, 0, 0, 4096));
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

    @Test
    void rejectedBatchesWriteNothing() throws Exception {
        try (CollectionStore store = new CollectionStore(dir, LIMITS)) {
            LuceneCollection c = store.create(CollectionSpec.of("v", 3, Metric.COSINE, 0, 0, 4096));
            ServiceException nan = assertThrows(ServiceException.class, () -> c.upsert(List.of(
                    new Point("ok", new float[] {1, 0, 0}, "", null),
                    new Point("bad", new float[] {1, Float.NaN, 0}, "", null))));
            assertEquals(ErrorKind.INVALID_ARGUMENT, nan.kind());
            assertThrows(ServiceException.class, () -> c.upsert(List.of(new Point("d", new float[] {1, 0}, "", null))));
            assertThrows(ServiceException.class, () -> c.upsert(List.of(new Point("z", new float[] {0, 0, 0}, "", null))));
            assertEquals(0, c.count());
            assertEquals(ErrorKind.ALREADY_EXISTS, assertThrows(ServiceException.class,
                    () -> store.create(CollectionSpec.of("v", 3, Metric.COSINE, 0, 0, 4096))).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> CollectionSpec.of("../etc", 3, Metric.COSINE, 0, 0, 4096)).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> c.search(new float[] {1, 0, 0}, 101, null, false)).kind());
        }
    }

    @Test
    void deletedCollectionsAreGoneAfterRestartAndLeftoversAreCleaned() throws Exception {
        try (CollectionStore store = new CollectionStore(dir, LIMITS)) {
            store.create(CollectionSpec.of("gone", 3, Metric.DOT, 0, 0, 4096));
            store.create(CollectionSpec.of("kept", 3, Metric.DOT, 0, 0, 4096));
            store.delete("gone");
        }
        Files.createDirectories(dir.resolve(".creating-half-made"));
        try (CollectionStore reopened = new CollectionStore(dir, LIMITS)) {
            assertEquals(List.of("kept"), reopened.list().stream().map(c -> c.spec().name()).toList());
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServiceException.class, () -> reopened.get("gone")).kind());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("kept"), files.map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder()).toList());
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
}
