package io.ragsuite.vectorsearch.core;

import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * How vectors are compared, and how Lucene's internal score (always "higher is better", in (0, 1] or
 * (0, inf)) is turned back into the metric's own value, which is what clients expect to see.
 */
public enum Metric {
    /** Cosine similarity in [-1, 1]. Vectors are normalised on write and query, then compared by dot product. */
    COSINE(VectorSimilarityFunction.DOT_PRODUCT) {
        @Override
        public float fromLuceneScore(float score) {
            return 2 * score - 1;
        }
    },
    /** Raw inner product. */
    DOT(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT) {
        @Override
        public float fromLuceneScore(float score) {
            // Lucene: score = dot < 0 ? 1 / (1 - dot) : dot + 1
            return score < 1 ? 1 - 1 / score : score - 1;
        }
    },
    /** Euclidean distance (lower is closer). */
    L2(VectorSimilarityFunction.EUCLIDEAN) {
        @Override
        public float fromLuceneScore(float score) {
            // Lucene: score = 1 / (1 + d^2)
            return (float) Math.sqrt(Math.max(0, 1 / score - 1));
        }
    };

    private final VectorSimilarityFunction lucene;

    Metric(VectorSimilarityFunction lucene) {
        this.lucene = lucene;
    }

    public VectorSimilarityFunction lucene() {
        return lucene;
    }

    public abstract float fromLuceneScore(float score);
}
