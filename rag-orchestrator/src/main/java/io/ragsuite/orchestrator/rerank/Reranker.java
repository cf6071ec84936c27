package io.ragsuite.orchestrator.rerank;

import io.ragsuite.orchestrator.retrieve.Passage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The optional rerank stage: orders the retrieved candidates (more than the question's top_k, see
 * {@link #candidates}) and keeps the best {@code topK} for the prompt. A model-based reranker (a cross-encoder
 * behind a service) fits the same port, hence the asynchronous result.
 */
public interface Reranker {
    /** No reranking: the retrieval order, cut to top_k. */
    Reranker NONE = new Reranker() {
        @Override
        public CompletionStage<List<Passage>> rerank(String question, List<Passage> candidates, int topK) {
            return CompletableFuture.completedFuture(candidates.subList(0, Math.min(topK, candidates.size())));
        }

        @Override
        public int candidates(int topK) {
            return topK;
        }
    };

    CompletionStage<List<Passage>> rerank(String question, List<Passage> candidates, int topK);

    /** How many passages to retrieve for a question that wants {@code topK}. */
    int candidates(int topK);
}
