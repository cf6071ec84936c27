package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.RetrievalMode;
import io.ragsuite.api.v1.RetrieveResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-request query options through the running services: the filter and each retrieval mode reach the vector
 * store (over REST and gRPC Retrieve), generation options reach the model (max_tokens cuts the answer, which then
 * says "length"), the OpenAI route honours them, and bad options are refused naming the field.
 */
@ExtendWith(SharedSuite.class)
class QueryOptionsEndToEndTest {
    private static final Map<String, Object> FILTER_EN = filter("lang", "en");

    private static Map<String, Object> filter(String key, String value) {
        return Map.of("must", List.of(Map.of("match", Map.of("key", key, "any_of", List.of(value)))));
    }

    @BeforeAll
    static void ingest() throws Exception {
        SharedSuite.requireStarted();
        JsonNode r = SharedSuite.postJson("/v1/documents/batch", List.of(
                Map.of("id", "opt-hash", "text", "A hash table maps keys to buckets through a hash function; colliding "
                        + "keys are chained.", "metadata", Map.of("lang", "en", "set", "options-e2e")),
                Map.of("id", "opt-katze", "text", "Eine Hashtabelle ordnet Schlüssel über eine Hashfunktion Buckets zu.",
                        "metadata", Map.of("lang", "de", "set", "options-e2e")),
                Map.of("id", "opt-tcp", "text", "TCP gives reliable, ordered delivery of a byte stream between hosts.",
                        "metadata", Map.of("lang", "en", "set", "options-e2e"))), 200);
        assertEquals(3, r.path("ingested").asInt(), r.toString());
    }

    @Test
    void theFilterAndEachRetrievalModeReachTheStore() throws Exception {
        for (String mode : List.of("dense", "bm25", "hybrid")) {
            JsonNode r = SharedSuite.postJson("/v1/rag/retrieve", Map.of("question", "hash table buckets", "top_k", 5,
                    "retrieval", mode, "rerank", "none", "filter", FILTER_EN), 200);
            List<String> ids = r.path("passages").findValuesAsText("document_id");
            assertEquals("opt-hash", ids.get(0), mode + ": " + r);
            assertFalse(ids.contains("opt-katze"), mode + " keeps to the filter: " + r);
            assertEquals(mode.equals("bm25"), r.path("embedding_model").asText().isEmpty(), "bm25 embeds nothing: " + r);
        }
        JsonNode german = SharedSuite.postJson("/v1/rag/retrieve", Map.of("question", "hash table", "retrieval", "hybrid",
                "fusion", "dbsf", "dense_weight", 0.8, "bm25_weight", 0.2, "filter", filter("lang", "de")), 200);
        assertEquals(List.of("opt-katze"), german.path("passages").findValuesAsText("document_id"), german.toString());
        JsonNode none = SharedSuite.postJson("/v1/rag/retrieve", Map.of("question", "hash table", "min_score", 1e6,
                "filter", FILTER_EN), 200);
        assertEquals(0, none.path("passages").size(), "min_score drops every passage: " + none);

        RetrieveResponse grpc = SharedSuite.grpc(Duration.ofSeconds(30)).retrieve(QueryRequest.newBuilder()
                .setQuestion("reliable ordered byte stream").setRetrieval(RetrievalMode.RETRIEVAL_MODE_BM25)
                .setFilter(Filter.newBuilder().addMust(Condition.newBuilder().setMatch(FieldMatch.newBuilder()
                        .setKey("set").addAnyOf("options-e2e")))).build());
        assertEquals("opt-tcp", grpc.getPassages(0).getDocumentId(), grpc.toString());
        assertTrue(grpc.getTimings().getSearchMs() > 0, grpc.toString());
    }

    @Test
    void generationOptionsReachTheModel() throws Exception {
        JsonNode r = SharedSuite.postJson("/v1/rag/query", Map.of("question", "What is a hash table?", "max_tokens", 3,
                "temperature", 0, "seed", 1, "filter", FILTER_EN), 200);
        assertEquals("length", r.path("finish_reason").asText(), r.toString());
        assertEquals(3, r.path("usage").path("completion_tokens").asInt(), r.toString());
        assertTrue(r.path("usage").path("prompt_tokens").asInt() > 20, r.toString());
        assertEquals("opt-hash", r.path("context").path(0).path("document_id").asText(), r.toString());
        assertTrue(r.path("timings").path("guard_ms").asDouble() > 0, "the guardrail's embed call is timed: " + r);

        JsonNode chat = SharedSuite.postJson("/v1/chat/completions", Map.of("model", "rag", "messages",
                List.of(Map.of("role", "user", "content", "What is a hash table?")), "max_tokens", 2, "temperature", 0,
                "filter", FILTER_EN), 200);
        assertEquals("length", chat.path("choices").get(0).path("finish_reason").asText(), chat.toString());
        assertEquals(2, chat.path("usage").path("completion_tokens").asInt(), chat.toString());
    }

    @Test
    void badOptionsAreRefusedNamingTheField() throws Exception {
        assertTrue(SharedSuite.postJson("/v1/rag/query", Map.of("question", "q", "temprature", 0), 400)
                .path("detail").asText().contains("unknown field temprature"));
        assertTrue(SharedSuite.postJson("/v1/rag/retrieve", Map.of("question", "q", "filter",
                Map.of("must", List.of(Map.of("match", Map.of("key", "", "any_of", List.of("x")))))), 400)
                .path("detail").asText().contains("key"));
        assertTrue(SharedSuite.postJson("/v1/rag/query", Map.of("question", "q", "model", "no-such-adapter",
                "max_tokens", 2), 400).path("detail").asText().contains("model"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> SharedSuite.grpc(Duration.ofSeconds(30))
                .query(QueryRequest.newBuilder().setQuestion("q").setTemperature(7).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("temperature"), e.getStatus().toString());
    }
}
