package io.ragsuite.vectorsearch.lucene;

import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Quantization;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene102.Lucene102HnswBinaryQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The Lucene side of a collection's settings: which similarity and vectors format, and how Lucene's
 * internal score (always "higher is better", in (0, 1] or (0, inf)) turns back into the metric's own value.
 */
final class LuceneFormats {
    private LuceneFormats() {
    }

    /** Cosine vectors are normalised on write and query, then compared by dot product (cheaper, same order). */
    static VectorSimilarityFunction similarity(Metric metric) {
        return switch (metric) {
            case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
            case DOT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
            case L2 -> VectorSimilarityFunction.EUCLIDEAN;
        };
    }

    static float fromLuceneScore(Metric metric, float score) {
        return switch (metric) {
            // Lucene: score = (1 + cos) / 2
            case COSINE -> 2 * score - 1;
            // Lucene: score = dot < 0 ? 1 / (1 - dot) : dot + 1
            case DOT -> score < 1 ? 1 - 1 / score : score - 1;
            // Lucene: score = 1 / (1 + d^2)
            case L2 -> (float) Math.sqrt(Math.max(0, 1 / score - 1));
        };
    }

    /** The Lucene vectors format for a quantization with the collection's HNSW parameters. */
    static KnnVectorsFormat format(Quantization quantization, int m, int efConstruction) {
        return switch (quantization) {
            case NONE -> new Lucene99HnswVectorsFormat(m, efConstruction);
            // bits 7 (not 8): Lucene's int8 path stores unsigned 7-bit values so dot products fit an int.
            case INT8 -> new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction, 1, 7, false, null, null);
            case INT4 -> new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction, 1, 4, true, null, null);
            case BINARY -> new Lucene102HnswBinaryQuantizedVectorsFormat(m, efConstruction, 1, null);
        };
    }
}
