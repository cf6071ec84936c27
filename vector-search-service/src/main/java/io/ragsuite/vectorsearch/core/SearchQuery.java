package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;

/**
 * One search. Dense search ranks by the vector, BM25 by the text, hybrid runs both and fuses the two
 * rankings, by reciprocal rank fusion ({@code score = sum_i w_i / (rrfK + rank_i)}, as Elasticsearch,
 * OpenSearch and Qdrant do) or by a weighted sum of normalised scores ({@link RankFusion}).
 *
 * @param vector      query vector (dense and hybrid)
 * @param text        query text (BM25 and hybrid)
 * @param topK        results wanted
 * @param filter      metadata filter applied inside both searches, or null
 * @param withVectors return stored vectors
 * @param efSearch    HNSW candidate list size, 0 for the collection's default
 * @param minScore    drop results under it (for dense L2: farther than it); in the score of the mode used
 * @param mode        null infers it: both vector and text give HYBRID, otherwise the one given
 * @param denseWeight weight of the dense ranking in hybrid fusion (0 means 1)
 * @param bm25Weight  weight of the BM25 ranking in hybrid fusion (0 means 1)
 * @param fusion      how hybrid fuses the two rankings; null selects {@link RankFusion.Fusion#RRF}
 */
public record SearchQuery(float[] vector, String text, int topK, MetadataFilter filter, boolean withVectors,
        int efSearch, Float minScore, Mode mode, float denseWeight, float bm25Weight, RankFusion.Fusion fusion) {

    /** Reciprocal rank fusion constant; 60 is the value of the original paper (Cormack et al., 2009). */
    public static final int RRF_K = 60;

    public enum Mode {
        DENSE, BM25, HYBRID
    }

    public static SearchQuery dense(float[] vector, int topK) {
        return new SearchQuery(vector, null, topK, null, false, 0, null, Mode.DENSE, 0, 0, null);
    }

    public static SearchQuery bm25(String text, int topK) {
        return new SearchQuery(null, text, topK, null, false, 0, null, Mode.BM25, 0, 0, null);
    }

    public static SearchQuery hybrid(float[] vector, String text, int topK) {
        return new SearchQuery(vector, text, topK, null, false, 0, null, Mode.HYBRID, 0, 0, null);
    }

    public SearchQuery withFilter(MetadataFilter f) {
        return new SearchQuery(vector, text, topK, f, withVectors, efSearch, minScore, mode, denseWeight, bm25Weight, fusion);
    }

    public SearchQuery withVectors(boolean with) {
        return new SearchQuery(vector, text, topK, filter, with, efSearch, minScore, mode, denseWeight, bm25Weight, fusion);
    }

    public SearchQuery withEfSearch(int ef) {
        return new SearchQuery(vector, text, topK, filter, withVectors, ef, minScore, mode, denseWeight, bm25Weight, fusion);
    }

    public SearchQuery withMinScore(Float min) {
        return new SearchQuery(vector, text, topK, filter, withVectors, efSearch, min, mode, denseWeight, bm25Weight, fusion);
    }

    public SearchQuery withWeights(float dense, float bm25) {
        return new SearchQuery(vector, text, topK, filter, withVectors, efSearch, minScore, mode, dense, bm25, fusion);
    }

    /**
     * Checks the query against a collection and the server limits; returns the HNSW candidate list size to
     * use. Both backends call it first, so they reject the same queries (the filter is checked by each
     * backend's translation, through {@link MetadataFilters}).
     */
    public int checkedEfSearch(CollectionSpec spec, StoreLimits limits) {
        Require.inRange(topK, 1, limits.maxTopK(), "top_k");
        int ef = efSearch == 0 ? spec.efSearch()
                : Require.inRange(efSearch, 1, CollectionSpec.MAX_EF, "ef_search");
        Require.that(minScore == null || Float.isFinite(minScore),
                "min_score must be a finite number");
        Require.that(denseWeight >= 0 && bm25Weight >= 0 && Float.isFinite(denseWeight)
                && Float.isFinite(bm25Weight), "weights must be finite and >= 0");
        Mode m = effectiveMode();
        if (m != Mode.DENSE) {
            Require.that(text != null && !text.isBlank(),
                    m.name().toLowerCase(java.util.Locale.ROOT) + " search needs a query text");
            Require.maxLength(text, limits.maxTextChars(), "text");
        }
        return ef;
    }

    public SearchQuery withFusion(RankFusion.Fusion f) {
        return new SearchQuery(vector, text, topK, filter, withVectors, efSearch, minScore, mode, denseWeight, bm25Weight, f);
    }

    /** The fusion method of hybrid search. */
    public RankFusion.Fusion fusionMethod() {
        return fusion == null ? RankFusion.Fusion.RRF : fusion;
    }

    /** The dense weight for fusion (0 means 1). */
    public float fusionDenseWeight() {
        return denseWeight == 0 ? 1 : denseWeight;
    }

    /** The text weight for fusion (0 means 1). */
    public float fusionTextWeight() {
        return bm25Weight == 0 ? 1 : bm25Weight;
    }

    /** Whether a hit with this score is cut by {@link #minScore()}; for dense L2 lower scores are better. */
    public boolean belowMinScore(float score, Metric metric) {
        if (minScore == null) {
            return false;
        }
        boolean lowerIsBetter = effectiveMode() == Mode.DENSE && metric == Metric.L2;
        return lowerIsBetter ? score > minScore : score < minScore;
    }

    /** The mode to run: the one set, or the one the given inputs imply. */
    public Mode effectiveMode() {
        if (mode != null) {
            return mode;
        }
        boolean hasVector = vector != null && vector.length > 0;
        boolean hasText = text != null && !text.isBlank();
        return hasVector && hasText ? Mode.HYBRID : hasText ? Mode.BM25 : Mode.DENSE;
    }
}
