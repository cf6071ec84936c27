package io.ragsuite.orchestrator.pipeline;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Port to the embedding stage. */
public interface Embedder {
    CompletionStage<Embeddings> embed(List<String> texts);

    /** @param model the model that made the vectors */
    record Embeddings(List<float[]> vectors, String model) {
    }
}
