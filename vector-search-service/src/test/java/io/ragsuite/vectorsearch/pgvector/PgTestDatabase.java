package io.ragsuite.vectorsearch.pgvector;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the pgvector tests run against: {@code RAG_TEST_PG_URL} (default: the cluster that
 * {@code scripts/postgres.sh start} runs, which {@code ./rag test} and CI start). Each test gets its own
 * schema, dropped afterwards. Unreachable is a test failure, so CI can never pass without the backend;
 * {@code RAG_TEST_PGVECTOR=off} skips these tests on a machine without PostgreSQL.
 */
public final class PgTestDatabase {
    public static final String URL = System.getenv().getOrDefault("RAG_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:55432/rag?user=rag");

    private PgTestDatabase() {
    }

    public static void assumeEnabled() {
        Assumptions.assumeFalse("off".equalsIgnoreCase(System.getenv("RAG_TEST_PGVECTOR")),
                "RAG_TEST_PGVECTOR=off: pgvector tests skipped");
    }

    public static AgroalDataSource pool() throws SQLException {
        assumeEnabled();
        AgroalDataSource pool = PgVectorStore.pool(URL, null, null, 8);
        try (Connection c = pool.getConnection()) {
            return pool;
        } catch (SQLException e) {
            pool.close();
            throw new SQLException("PostgreSQL for the pgvector tests is not reachable at " + URL
                    + " (start it with scripts/postgres.sh start, or set RAG_TEST_PG_URL; RAG_TEST_PGVECTOR=off skips): "
                    + e.getMessage(), e);
        }
    }

    public static String newSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static void dropSchema(AgroalDataSource pool, String schema) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
