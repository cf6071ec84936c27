package io.ragsuite.orchestrator.retrieve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Port to the embedding stage. */
public interface Embedder {
    CompletionStage<Embeddings> embed(List<String> texts);

    /**
     * Embeds any number of texts in calls of at most {@code batch} texts, one call after another (so a large
     * document does not flood the stage); vectors in the texts' order, the model of the last call.
     */
    default CompletionStage<Embeddings> embedInBatches(List<String> texts, int batch) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        CompletionStage<String> model = CompletableFuture.completedFuture("");
        for (int from = 0; from < texts.size(); from += batch) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + batch));
            model = model.thenCompose(ignored -> embed(part)).thenApply(e -> {
                vectors.addAll(e.vectors());
                return e.model();
            });
        }
        return model.thenApply(m -> new Embeddings(vectors, m));
    }

    /** @param model the model that made the vectors */
    record Embeddings(List<float[]> vectors, String model) {
    }
}
