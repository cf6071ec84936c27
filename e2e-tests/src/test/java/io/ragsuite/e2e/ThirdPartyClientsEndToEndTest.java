package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients we did not write, from a virtualenv that scripts/clients-venv.sh makes: tritonclient (gRPC and HTTP,
 * KServe v2) and the official openai package against the embedding service, whose vectors must match the
 * sentence-transformers golden vectors; and the openai package against the orchestrator's RAG chat route, whole and
 * streamed, with a RAG filter passed as an extra body field.
 */
@ExtendWith(SharedSuite.class)
class ThirdPartyClientsEndToEndTest {
    private static String python;

    @BeforeAll
    static void clientsVenv() throws Exception {
        String out = SharedSuite.runScript(Duration.ofSeconds(600), "bash",
                SharedSuite.suite().root.resolve("scripts/clients-venv.sh").toString());
        python = out.strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void embeddingClientsGetTheReferenceVectors() throws Exception {
        String report = SharedSuite.runScript(Duration.ofSeconds(120), python,
                SharedSuite.suite().root.resolve("e2e-tests/src/test/python/check_embedding_clients.py").toString(),
                "127.0.0.1", Integer.toString(SharedSuite.port("embedding-service")),
                SharedSuite.suite().root.resolve("embedding-service/src/test/resources/goldens/all-minilm-l6-v2.json")
                        .toString());
        assertTrue(report.contains("4 passed, 0 failed"), report);
    }

    @Test
    void openAiClientsGetRagAnswersFromTheOrchestrator() throws Exception {
        String text = SharedSuite.sample("hash-table");
        SharedSuite.postJson("/v1/documents", Map.of("id", "hash-table", "title", SharedSuite.titleOf(text), "text", text,
                "metadata", Map.of("source", "FOLDOC", "set", "clients-e2e")), 201);
        String report = SharedSuite.runScript(Duration.ofSeconds(600), python,
                SharedSuite.suite().root.resolve("e2e-tests/src/test/python/check_rag_openai_client.py").toString(),
                "127.0.0.1", Integer.toString(SharedSuite.port("rag-orchestrator")),
                "What happens in a hash table when two keys hash to the same value?", "hash-table",
                "{\"must\":[{\"match\":{\"key\":\"source\",\"any_of\":[\"FOLDOC\"]}}]}");
        assertTrue(report.contains("4 passed, 0 failed"), report);
    }
}
