package io.ragsuite.vectorsearch.pgvector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.VectorCollection;
import io.ragsuite.vectorsearch.core.VectorStore;
import io.ragsuite.vectorsearch.core.VectorStoreContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared contract on a real PostgreSQL with pgvector, plus what only this backend has to get right. */
class PgVectorStoreTest extends VectorStoreContract {
    private AgroalDataSource pool;
    private String schema;
    /** Graph size of the NONE collection, checked first, to compare the binary one with. */
    private long fullPrecisionGraphBytes = Long.MAX_VALUE;

    @BeforeEach
    void connect() throws Exception {
        pool = PgTestDatabase.pool();
        schema = PgTestDatabase.newSchema();
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (pool != null) {
            PgTestDatabase.dropSchema(pool, schema);
            pool.close();
        }
    }

    /** A store over the test's schema; closing it leaves the shared pool open. */
    @Override
    protected VectorStore open() throws Exception {
        return new PgVectorStore(pool, null, schema, LIMITS);
    }

    @Override
    protected Map<Quantization, Double> quantizationRecall() {
        return Map.of(Quantization.BINARY, 0.6);
    }

    @Override
    protected void checkSizes(VectorCollection c) {
        Map<String, Long> parts = c.bytesByPart();
        assertTrue(parts.get("table") >= 3000L * 64 * Float.BYTES, parts.toString());
        assertTrue(parts.get("graph") > 0 && parts.get("text_index") > 0, parts.toString());
        assertEquals(parts.values().stream().mapToLong(Long::longValue).sum(), c.diskBytes());
        if (c.spec().quantization() == Quantization.NONE) {
            fullPrecisionGraphBytes = parts.get("graph");
        } else {
            // The binary graph holds sign bits instead of floats (its links cost the same).
            assertTrue(parts.get("graph") < fullPrecisionGraphBytes * 0.7, parts + " vs " + fullPrecisionGraphBytes);
        }
    }

    @Test
    void whatPgvectorCannotIndexIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (VectorStore store = open()) {
            ServiceException int8 = assertThrows(ServiceException.class,
                    () -> store.create(CollectionSpec.of("q", 8, Metric.COSINE, 0, 0, 0, Quantization.INT8, 4096)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, int8.kind());
            assertTrue(int8.getMessage().contains("none or binary"), int8.getMessage());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(ServiceException.class,
                    () -> store.create(CollectionSpec.of("wide", 3000, Metric.COSINE, 0, 0, 0, null, 4096))).kind());
            // Binary quantization indexes sign bits, which pgvector allows up to 64,000 dimensions.
            store.create(CollectionSpec.of("wide", 3000, Metric.COSINE, 0, 0, 0, Quantization.BINARY, 4096));
            assertEquals(List.of("wide"), store.list().stream().map(c -> c.spec().name()).toList());
        }
    }

    /**
     * Two replicas over one database: a collection made by one is seen by the other, and one dropped by one
     * answers NOT_FOUND on the other, which had it cached.
     */
    @Test
    void replicasSharingADatabaseAgreeOnCollections() throws Exception {
        try (VectorStore a = open(); VectorStore b = open()) {
            a.create(CollectionSpec.of("shared", 2, Metric.DOT, 0, 0, 0, null, 4096))
                    .upsert(List.of(new Point("x", new float[] {1, 2}, "", Map.of())));
            VectorCollection onB = b.get("shared");
            assertEquals(1, onB.count());
            a.delete("shared");
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServiceException.class, onB::count).kind());
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(ServiceException.class, () -> b.get("shared")).kind());
            a.create(CollectionSpec.of("shared", 3, Metric.L2, 0, 0, 0, null, 4096));
            assertEquals(3, b.get("shared").spec().dimension());
        }
    }
}
