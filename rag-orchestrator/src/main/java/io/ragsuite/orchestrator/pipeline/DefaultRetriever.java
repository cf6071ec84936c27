package io.ragsuite.orchestrator.pipeline;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Embeds the question with the embedding stage, then asks the vector store for its nearest chunks. */
public final class DefaultRetriever implements Retriever {
    private final Embedder embedder;
    private final PassageStore store;

    public DefaultRetriever(Embedder embedder, PassageStore store) {
        this.embedder = embedder;
        this.store = store;
    }

    @Override
    public CompletionStage<Retrieval> retrieve(String question, int topK) {
        long start = System.nanoTime();
        return embedder.embed(List.of(question)).thenCompose(embeddings -> {
            long embedded = System.nanoTime();
            return store.search(embeddings.vectors().get(0), topK).thenApply(passages -> new Retrieval(passages,
                    embeddings.model(), millis(start, embedded), millis(embedded, System.nanoTime())));
        });
    }

    static double millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }
}
