package io.ragsuite.orchestrator.pipeline;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Stage 1+2: finds the passages relevant to a question. */
public interface Retriever {
    CompletionStage<Retrieval> retrieve(String question, int topK);

    /** @param embedMs time in the embedding stage; searchMs time in the search stage */
    record Retrieval(List<Passage> passages, String embeddingModel, double embedMs, double searchMs) {
    }
}
