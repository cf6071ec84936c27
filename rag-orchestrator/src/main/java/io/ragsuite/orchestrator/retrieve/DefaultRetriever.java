package io.ragsuite.orchestrator.retrieve;

import io.ragsuite.orchestrator.pipeline.RagQuery;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Embeds the question with the embedding stage (unless retrieval is BM25, which needs no vector), then asks the
 * vector store for its best chunks in the query's retrieval mode.
 */
public final class DefaultRetriever implements Retriever {
    private final Embedder embedder;
    private final PassageStore store;

    public DefaultRetriever(Embedder embedder, PassageStore store) {
        this.embedder = embedder;
        this.store = store;
    }

    @Override
    public CompletionStage<Retrieval> retrieve(RagQuery query, int candidates) {
        long start = System.nanoTime();
        if (query.retrieval() == RagQuery.Retrieval.BM25) {
            return store.search(null, query, candidates)
                    .thenApply(passages -> new Retrieval(passages, "", 0, millis(start, System.nanoTime())));
        }
        return embedder.embed(List.of(query.question())).thenCompose(embeddings -> {
            long embedded = System.nanoTime();
            return store.search(embeddings.vectors().get(0), query, candidates).thenApply(passages -> new Retrieval(
                    passages, embeddings.model(), millis(start, embedded), millis(embedded, System.nanoTime())));
        });
    }

    public static double millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }
}
