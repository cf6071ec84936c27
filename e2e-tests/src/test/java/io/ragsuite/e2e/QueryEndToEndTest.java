package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.Document;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.IngestRequest;
import io.ragsuite.api.v1.IngestResponse;
import io.ragsuite.api.v1.QueryEvent;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.QueryResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Questions answered through the running suite over each front door: REST whole and as server-sent events, gRPC
 * {@code Query} and {@code QueryStream}; each answer's first prompt passage is the right sample document, its
 * citations name prompt passages, and it reports finish reason, token usage and the time of each stage. Bad input
 * gets problem+json / INVALID_ARGUMENT.
 *
 * <p>The queries keep to this class's documents with a metadata filter, since other feature classes share the
 * suite's collection (with hash tables of their own).
 */
@ExtendWith(SharedSuite.class)
class QueryEndToEndTest {
    /** Ingested over REST; one sample document per topic. */
    private static final List<String> REST_DOCUMENTS = List.of("hash-table", "garbage-collection", "deadlock",
            "regular-expression");
    /** Ingested over gRPC. */
    private static final String GRPC_DOCUMENT = "tcp";
    private static final String SET = "query-e2e";
    private static final Map<String, Object> OWN_DOCUMENTS = Map.of("must",
            List.of(Map.of("match", Map.of("key", "set", "any_of", List.of(SET)))));
    private static final Filter OWN_DOCUMENTS_GRPC = Filter.newBuilder().addMust(Condition.newBuilder()
            .setMatch(FieldMatch.newBuilder().setKey("set").addAnyOf(SET))).build();

    @BeforeAll
    static void ingestSamplesOverRestAndGrpc() throws Exception {
        SharedSuite.requireStarted();
        for (String id : REST_DOCUMENTS) {
            String text = SharedSuite.sample(id);
            JsonNode reply = SharedSuite.postJson("/v1/documents", Map.of("id", id, "title", SharedSuite.titleOf(text),
                    "text", text, "metadata", Map.of("source", "FOLDOC", "set", SET)), 201);
            assertEquals(id, reply.path("id").asText(), reply.toString());
            assertTrue(reply.path("chunks").asInt() > 0, "no chunks for " + id + ": " + reply);
        }
        String text = SharedSuite.sample(GRPC_DOCUMENT);
        IngestResponse reply = SharedSuite.grpc(Duration.ofSeconds(60)).ingest(IngestRequest.newBuilder()
                .addDocuments(Document.newBuilder().setId(GRPC_DOCUMENT).setTitle(SharedSuite.titleOf(text)).setText(text)
                        .putMetadata("source", "FOLDOC").putMetadata("set", SET))
                .build());
        assertEquals(1, reply.getDocumentsCount(), reply.toString());
        assertEquals(GRPC_DOCUMENT, reply.getDocuments(0).getId());
        assertTrue(reply.getDocuments(0).getChunks() > 0, reply.toString());
    }

    @Test
    void restQueryPutsTheRightDocumentFirst() throws Exception {
        JsonNode answer = SharedSuite.postJson("/v1/rag/query", Map.of("question",
                "What happens in a hash table when two keys hash to the same value?", "top_k", 3,
                "filter", OWN_DOCUMENTS), 200);
        String context = "REST query response: " + answer;
        assertFalse(answer.path("answer").asText().isBlank(), context);
        // The prompt's first passage is the right document; citations are only what the model wrote as [n] (the
        // test's 135M-parameter model seldom writes any), so each must name a passage of the prompt.
        assertEquals("hash-table", answer.path("context").path(0).path("document_id").asText(), context);
        Set<String> inPrompt = new HashSet<>(answer.path("context").findValuesAsText("document_id"));
        answer.path("citations").forEach(c -> assertTrue(inPrompt.contains(c.path("document_id").asText()), context));
        assertEquals(answer.path("citations").isEmpty(), answer.path("cites_nothing").asBoolean(), context);
        assertTrue(answer.path("passages").size() > 0, context);
        assertTrue(List.of("stop", "length").contains(answer.path("finish_reason").asText()), context);
        assertTrue(answer.path("usage").path("prompt_tokens").asInt() > 0, context);
        assertTrue(answer.path("usage").path("completion_tokens").asInt() > 0, context);
        for (String field : List.of("embed_ms", "search_ms", "generate_ms", "total_ms")) {
            assertTrue(answer.path("timings").path(field).asDouble() > 0, "timings." + field + " > 0; " + context);
        }
        assertFalse(answer.path("generation_model").asText().isBlank(), context);
        assertFalse(answer.path("embedding_model").asText().isBlank(), context);
    }

    @Test
    void restStreamSendsPassagesThenDeltasThenDone() throws Exception {
        HttpResponse<String> r = SharedSuite.send("rag-orchestrator", "/v1/rag/query/stream", b -> b
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"What is a deadlock between two processes?\","
                        + "\"top_k\":3,\"max_tokens\":24,\"filter\":{\"must\":[{\"match\":{\"key\":\"set\",\"any_of\":[\""
                        + SET + "\"]}}]}}")));
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data:")) {
                events.add(SharedSuite.JSON.readTree(line.substring(5).strip()));
            }
        }
        String context = "events " + events;
        assertTrue(events.size() >= 3, context);
        assertEquals("deadlock", events.get(0).path("passages").path(0).path("document_id").asText(), context);
        JsonNode done = events.get(events.size() - 1).path("done");
        assertTrue(done.isObject(), "the last event is done; " + context);
        StringBuilder streamed = new StringBuilder();
        for (JsonNode delta : events.subList(1, events.size() - 1)) {
            assertTrue(delta.path("delta").isTextual(), "between the first and the last event only deltas; " + context);
            streamed.append(delta.path("delta").asText());
        }
        assertEquals(done.path("answer").asText(), streamed.toString(), "the deltas make up the answer; " + context);
        assertTrue(done.path("usage").path("completion_tokens").asInt() <= 24, context);
    }

    @Test
    void grpcQueryPutsTheRightDocumentFirst() {
        QueryResponse answer = SharedSuite.grpc(SharedSuite.ANSWER_TIMEOUT).query(QueryRequest.newBuilder()
                .setQuestion("What is a deadlock between two processes?").setTopK(3).setFilter(OWN_DOCUMENTS_GRPC).build());
        assertAnswerHas("deadlock", answer);
    }

    @Test
    void grpcQueryStreamSendsPassagesThenDeltasThenDone() {
        // Asks about the document that was ingested over gRPC.
        Iterator<QueryEvent> stream = SharedSuite.grpc(SharedSuite.ANSWER_TIMEOUT).queryStream(QueryRequest.newBuilder()
                .setQuestion("Which transport protocol adds reliable, connection-oriented communication on top of IP?")
                .setTopK(3).setFilter(OWN_DOCUMENTS_GRPC).build());
        List<QueryEvent> events = new ArrayList<>();
        stream.forEachRemaining(events::add);
        List<QueryEvent.EventCase> kinds = events.stream().map(QueryEvent::getEventCase).toList();
        String context = "event kinds " + kinds;

        assertTrue(events.size() >= 3, context);
        assertEquals(QueryEvent.EventCase.PASSAGES, kinds.get(0), context);
        assertTrue(events.get(0).getPassages().getPassagesCount() > 0, context);
        assertEquals(QueryEvent.EventCase.DONE, kinds.get(kinds.size() - 1), context);
        List<QueryEvent.EventCase> middle = kinds.subList(1, kinds.size() - 1);
        assertFalse(middle.isEmpty(), "no answer_delta events; " + context);
        assertTrue(middle.stream().allMatch(k -> k == QueryEvent.EventCase.ANSWER_DELTA),
                "between the first and the last event only answer_delta is expected; " + context);
        assertAnswerHas(GRPC_DOCUMENT, events.get(events.size() - 1).getDone());
    }

    @Test
    void badInputIsRejectedCleanlyOverRestAndGrpc() throws Exception {
        HttpResponse<String> response = SharedSuite.post("/v1/rag/query", Map.of("question", "", "top_k", 3),
                "application/json", Duration.ofSeconds(30));
        String context = "REST response to an empty question: " + response.statusCode() + " " + response.body();
        assertEquals(400, response.statusCode(), context);
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"),
                "content-type " + response.headers().firstValue("content-type") + "; " + context);
        JsonNode problem = SharedSuite.JSON.readTree(response.body());
        for (String field : List.of("type", "title", "detail")) {
            assertFalse(problem.path(field).asText().isBlank(), "problem field '" + field + "'; " + context);
        }
        assertEquals(400, problem.path("status").asInt(), context);
        assertFalse(response.body().contains("Exception"), "stack trace text in the body; " + context);
        assertFalse(response.body().contains("at io."), "stack trace text in the body; " + context);

        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> SharedSuite
                .grpc(Duration.ofSeconds(30)).query(QueryRequest.newBuilder().setQuestion("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.toString());
        StatusRuntimeException stream = assertThrows(StatusRuntimeException.class, () -> SharedSuite
                .grpc(Duration.ofSeconds(30)).queryStream(QueryRequest.newBuilder().setQuestion("").build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, stream.getStatus().getCode(), stream.toString());
    }

    private static void assertAnswerHas(String documentId, QueryResponse answer) {
        String context = "gRPC response: " + answer;
        assertFalse(answer.getAnswer().isBlank(), context);
        assertTrue(answer.getContextCount() > 0, context);
        assertEquals(documentId, answer.getContext(0).getDocumentId(), context);
        for (io.ragsuite.api.v1.Citation c : answer.getCitationsList()) {
            assertEquals(c.getDocumentId(), answer.getContext(c.getMarker() - 1).getDocumentId(), context);
        }
        assertEquals(answer.getCitationsCount() == 0, answer.getCitesNothing(), context);
        assertTrue(answer.getPassagesCount() > 0, context);
        assertTrue(answer.getUsage().getCompletionTokens() > 0, context);
        assertFalse(answer.getFinishReason().isBlank(), context);
        assertTrue(answer.getTimings().getEmbedMs() > 0, context);
        assertTrue(answer.getTimings().getSearchMs() > 0, context);
        assertTrue(answer.getTimings().getGenerateMs() > 0, context);
        assertTrue(answer.getTimings().getTotalMs() > 0, context);
        assertFalse(answer.getGenerationModel().isBlank(), context);
        assertFalse(answer.getEmbeddingModel().isBlank(), context);
    }
}
