package io.ragsuite.orchestrator.rerank;

import io.ragsuite.orchestrator.retrieve.Passage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998): picks passages one at a time, each time the
 * one with the best {@code lambda * relevance - (1 - lambda) * (greatest similarity to a passage already picked)}.
 * Chunks overlap (rag.orchestrator.chunk-overlap-chars) and documents repeat themselves, so plain nearest
 * neighbours often fill the prompt with near-copies of one passage; MMR spends the prompt on different ones.
 *
 * <p>Relevance is the retrieval score; similarity between passages is the Jaccard index of their word sets,
 * which needs no vectors from the store and no model call (microseconds for a few dozen candidates). The first
 * pick is always the most relevant passage.
 */
public final class MmrReranker implements Reranker {
    private final double lambda;
    private final int candidateFactor;

    /**
     * @param lambda          weight of relevance against novelty, in [0, 1] (1: retrieval order)
     * @param candidateFactor candidates retrieved per passage kept, at least 1
     */
    public MmrReranker(double lambda, int candidateFactor) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("MMR lambda must be within [0, 1], not " + lambda);
        }
        if (candidateFactor < 1) {
            throw new IllegalArgumentException("the rerank candidate factor must be at least 1, not " + candidateFactor);
        }
        this.lambda = lambda;
        this.candidateFactor = candidateFactor;
    }

    @Override
    public int candidates(int topK) {
        return topK * candidateFactor;
    }

    @Override
    public CompletionStage<List<Passage>> rerank(String question, List<Passage> candidates, int topK) {
        return CompletableFuture.completedFuture(select(candidates, topK));
    }

    List<Passage> select(List<Passage> candidates, int topK) {
        List<Set<String>> words = candidates.stream().map(p -> words(p.text())).toList();
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            left.add(i);
        }
        List<Integer> picked = new ArrayList<>();
        while (picked.size() < topK && !left.isEmpty()) {
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i : left) {
                double redundancy = 0;
                for (int j : picked) {
                    redundancy = Math.max(redundancy, jaccard(words.get(i), words.get(j)));
                }
                double value = lambda * candidates.get(i).score() - (1 - lambda) * redundancy;
                if (value > bestValue) { // ties keep retrieval order
                    bestValue = value;
                    best = i;
                }
            }
            picked.add(best);
            left.remove(Integer.valueOf(best));
        }
        return picked.stream().map(candidates::get).toList();
    }

    static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 0;
        }
        int common = 0;
        for (String w : a.size() < b.size() ? a : b) {
            if ((a.size() < b.size() ? b : a).contains(w)) {
                common++;
            }
        }
        return common / (double) (a.size() + b.size() - common);
    }
}
