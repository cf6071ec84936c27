package io.ragsuite.orchestrator.retrieve;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Port to the vector search stage, in terms of documents and chunks. */
public interface PassageStore {
    /** Makes sure the collection exists with vectors of {@code dimension}. */
    CompletionStage<Void> ensureCollection(int dimension);

    /**
     * Stores the chunks of a document so that afterwards exactly these chunks belong to it: chunks are
     * written over the old ones by id, then chunks left over from a longer old version are deleted. A
     * crash in between leaves the new chunks plus some stale ones, never a missing document.
     */
    CompletionStage<Void> replaceDocument(String documentId, String title, Map<String, String> metadata,
            List<String> chunks, List<float[]> vectors);

    /**
     * Best passages first; an empty list when nothing has been ingested. Runs the query's retrieval mode, fusion,
     * weights, filter and min_score (a resolved query: see {@link io.ragsuite.orchestrator.pipeline.RagQuery#resolve}).
     *
     * @param vector the question's embedding; null for BM25 retrieval
     * @param topK   how many to return (the query's top_k, or more for a reranker)
     */
    CompletionStage<List<Passage>> search(float[] vector, io.ragsuite.orchestrator.pipeline.RagQuery query, int topK);

    /** A stored document as its chunks show it. */
    record StoredDocument(String id, String title, Map<String, String> metadata, List<String> chunks) {
    }

    /** One page of documents (id order); {@code nextPageToken} empty on the last page. Chunks are not filled in. */
    record DocumentPage(List<StoredDocument> documents, String nextPageToken) {
    }

    CompletionStage<DocumentPage> listDocuments(int limit, String pageToken);

    /** The document with its chunks in order, or empty when there is none with that id. */
    CompletionStage<java.util.Optional<StoredDocument>> getDocument(String id);

    /** Deletes every chunk of a document; returns how many there were (0: no such document). */
    CompletionStage<Long> deleteDocument(String id);
}
