package io.ragsuite.orchestrator.retrieve;

import io.ragsuite.orchestrator.pipeline.RagQuery;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Stage 1+2: finds the passages relevant to a question, as its query's retrieval options say. */
public interface Retriever {
    /**
     * @param query      a resolved query
     * @param candidates how many passages to return (top_k, or more for the rerank stage to choose from)
     */
    CompletionStage<Retrieval> retrieve(RagQuery query, int candidates);

    /**
     * The passages found, best first, and what it took: an immutable value handed from stage to stage (reranked,
     * checked) with {@link #withPassages}.
     *
     * @param embeddingModel the model that embedded the question ("" for BM25, which embeds nothing)
     * @param embedMs        time in the embedding stage; searchMs time in the search stage
     */
    record Retrieval(List<Passage> passages, String embeddingModel, double embedMs, double searchMs) {
        public Retrieval {
            passages = List.copyOf(passages);
        }

        public Retrieval withPassages(List<Passage> kept) {
            return new Retrieval(kept, embeddingModel, embedMs, searchMs);
        }
    }
}
