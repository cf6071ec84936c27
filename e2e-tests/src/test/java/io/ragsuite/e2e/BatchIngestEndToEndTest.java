package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.stub.StreamObserver;
import io.ragsuite.api.v1.Document;
import io.ragsuite.api.v1.DocumentResult;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batch ingestion through the running services: many documents per call over REST (NDJSON and a JSON array) and
 * gRPC IngestStream, each document answered on its own, a bad one refused without failing the others, and the
 * good ones findable afterwards.
 */
@ExtendWith(SharedSuite.class)
class BatchIngestEndToEndTest {
    @Test
    void restBatchIngestsTheGoodDocumentsAndNamesTheBadOne() throws Exception {
        String ndjson = """
                {"id":"batch-raft","title":"Raft","text":"Raft is a consensus algorithm that elects a leader and replicates a log.","metadata":{"set":"batch-e2e"}}
                {"id":"bad#id","text":"An id with a hash is refused."}
                {"id":"batch-paxos","title":"Paxos","text":"Paxos is a family of protocols for consensus among unreliable processors.","metadata":{"set":"batch-e2e"}}
                """;
        HttpResponse<String> r = SharedSuite.post("/v1/documents/batch", ndjson, "application/x-ndjson", Duration.ofSeconds(120));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode reply = SharedSuite.JSON.readTree(r.body());
        assertEquals(2, reply.path("ingested").asInt(), r.body());
        assertEquals(1, reply.path("failed").asInt(), r.body());
        assertTrue(reply.path("documents").get(0).path("chunks").asInt() > 0, r.body());
        assertEquals(400, reply.path("documents").get(1).path("status").asInt(), r.body());
        assertTrue(reply.path("documents").get(1).path("error").asText().contains("without '#'"), r.body());

        JsonNode array = SharedSuite.postJson("/v1/documents/batch", List.of(
                java.util.Map.of("id", "batch-gossip", "text", "Gossip protocols spread information like an epidemic.",
                        "metadata", java.util.Map.of("set", "batch-e2e"))), 200);
        assertEquals(1, array.path("ingested").asInt(), array.toString());

        // Found again, within the batch's documents only (the filter).
        JsonNode found = SharedSuite.postJson("/v1/rag/retrieve", java.util.Map.of("question", "leader election and log replication",
                "filter", java.util.Map.of("must", List.of(java.util.Map.of("match", java.util.Map.of("key", "set",
                        "any_of", List.of("batch-e2e")))))), 200);
        assertEquals("batch-raft", found.path("passages").path(0).path("document_id").asText(), found.toString());
    }

    @Test
    void grpcIngestStreamAnswersEachDocument() throws Exception {
        List<DocumentResult> results = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<Document> out = SharedSuite.grpcAsync().withDeadlineAfter(120, TimeUnit.SECONDS)
                .ingestStream(new StreamObserver<>() {
                    @Override
                    public void onNext(DocumentResult value) {
                        results.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (int i = 0; i < 40; i++) {
            out.onNext(Document.newBuilder().setId("stream-" + i).setText("Streamed document number " + i
                    + " about distributed systems and their failure modes.").putMetadata("set", "stream-e2e").build());
        }
        out.onNext(Document.newBuilder().setId("stream-empty").setText("").build());
        out.onCompleted();
        done.get(120, TimeUnit.SECONDS);
        assertEquals(41, results.size(), results.toString());
        for (int i = 0; i < 40; i++) {
            assertEquals(i, results.get(i).getIndex());
            assertEquals("stream-" + i, results.get(i).getId());
            assertTrue(results.get(i).getChunks() > 0, results.get(i).toString());
        }
        assertEquals("INVALID_ARGUMENT", results.get(40).getCode(), results.get(40).toString());
        assertTrue(results.get(40).getError().contains("text must not be empty"), results.get(40).toString());
    }
}
