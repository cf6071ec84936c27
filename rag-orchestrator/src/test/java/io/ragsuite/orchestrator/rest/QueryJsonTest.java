package io.ragsuite.orchestrator.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.orchestrator.openai.OpenAiRagRoutes;
import io.ragsuite.support.error.ServiceException;
import org.junit.jupiter.api.Test;

/** The REST and OpenAI bodies: every option read, and nothing unknown or mistyped let through. */
class QueryJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void readsEveryOption() throws Exception {
        RagQuery q = QueryJson.query(json("""
                {"question": "why?", "top_k": 3, "retrieval": "hybrid", "fusion": "relative_score",
                 "dense_weight": 0.7, "bm25_weight": 0.3, "min_score": 0.2, "rerank": "none", "max_tokens": 64,
                 "temperature": 0, "seed": 7, "model": "support-bot",
                 "filter": {"must": [{"match": {"key": "lang", "any_of": ["en"]}}, {"range": {"key": "year", "gte": 2020}}]}}
                """));
        assertEquals(new RagQuery("why?", 3, q.filter(), RagQuery.Retrieval.HYBRID, RagQuery.Fusion.RELATIVE_SCORE,
                0.7f, 0.3f, 0.2f, RagQuery.RerankMode.NONE, 64, 0f, 7L, "support-bot"), q);
        assertEquals("lang", q.filter().getMust(0).getMatch().getKey());
        assertEquals(2020, q.filter().getMust(1).getRange().getGte());
        RagQuery bare = QueryJson.query(json("{\"question\": \"why?\", \"temperature\": null}"));
        assertEquals(RagQuery.of("why?"), bare);
        assertNull(bare.filter());
    }

    @Test
    void unknownFieldsAndWrongTypesAreNamed() {
        assertInvalid("unknown field topk", "{\"question\": \"q\", \"topk\": 3}");
        assertInvalid("unknown fields a, b", "{\"question\": \"q\", \"a\": 1, \"b\": 2}");
        assertInvalid("top_k must be an integer", "{\"question\": \"q\", \"top_k\": 2.5}");
        assertInvalid("top_k must be >= 1", "{\"question\": \"q\", \"top_k\": 0}");
        assertInvalid("temperature must be a number", "{\"question\": \"q\", \"temperature\": \"hot\"}");
        assertInvalid("seed must be an integer", "{\"question\": \"q\", \"seed\": 1.5}");
        assertInvalid("question must be a string", "{\"question\": 5}");
        assertInvalid("retrieval must be one of dense, bm25, hybrid", "{\"question\": \"q\", \"retrieval\": \"sparse\"}");
        assertInvalid("filter:", "{\"question\": \"q\", \"filter\": {\"must\": [{\"equals\": {}}]}}");
        assertInvalid("filter must be an object", "{\"question\": \"q\", \"filter\": [1]}");
        assertInvalid("request body is required", "null");
        assertInvalid("must be a JSON object", "[1]");
    }

    @Test
    void openAiBodiesMapOntoTheSameQuery() throws Exception {
        RagQuery q = OpenAiRagRoutes.query(json("""
                {"model": "rag", "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "What is a hash table?"}],
                 "temperature": 0.5, "max_completion_tokens": 40, "seed": 3, "top_p": 1, "user": "u1",
                 "top_k": 2, "retrieval": "bm25"}
                """));
        assertEquals(new RagQuery("What is a hash table?", 2, null, RagQuery.Retrieval.BM25, null, null, null, null, null,
                40, 0.5f, 3L, null), q);
        assertEquals("support-bot", OpenAiRagRoutes.query(json(
                "{\"model\": \"support-bot\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")).model());
        assertOpenAiInvalid("top_p is not supported", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_p\": 0.9}");
        assertOpenAiInvalid("unknown field stop", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"x\"]}");
        assertOpenAiInvalid("n must be 1", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 2}");
        assertOpenAiInvalid("messages must hold", "{\"messages\": []}");
    }

    private static void assertInvalid(String message, String body) {
        ServiceException e = assertThrows(ServiceException.class, () -> QueryJson.query(json(body)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static void assertOpenAiInvalid(String message, String body) {
        ServiceException e = assertThrows(ServiceException.class, () -> OpenAiRagRoutes.query(json(body)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
