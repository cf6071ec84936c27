package io.ragsuite.vectorsearch.pgvector;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.ragsuite.vectorsearch.VectorSearchServiceTest;
import java.util.Map;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;

/** Every service test again, with the service configured for the pgvector backend on a real PostgreSQL. */
@QuarkusTest
@TestProfile(PgVectorSearchServiceTest.PgVectorBackend.class)
@DisabledIfEnvironmentVariable(named = "RAG_TEST_PGVECTOR", matches = "(?i)off")
class PgVectorSearchServiceTest extends VectorSearchServiceTest {
    /** The service as a user configures it for pgvector, on a schema of its own. */
    public static class PgVectorBackend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rag.vector.backend", "pgvector", "rag.vector.pgvector.url", PgTestDatabase.URL,
                    "rag.vector.pgvector.schema", PgTestDatabase.newSchema());
        }
    }

    @Override
    protected io.ragsuite.api.v1.Quantization quantization() {
        return io.ragsuite.api.v1.Quantization.QUANTIZATION_BINARY;
    }
}
