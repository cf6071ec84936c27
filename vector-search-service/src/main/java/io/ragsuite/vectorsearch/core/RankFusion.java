package io.ragsuite.vectorsearch.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fusion of a dense and a text ranking into one (see {@link SearchQuery}). Three methods, because which one
 * helps depends on the corpus (docs/retrieval-quality.md measures them):
 * <ul>
 * <li>{@link Fusion#RRF}: reciprocal rank fusion, {@code sum w_i / (k + rank_i)} (Cormack et al., 2009); only ranks
 * count, so a weak ranking weighs as much as a strong one at the same rank.</li>
 * <li>{@link Fusion#RELATIVE_SCORE}: a convex combination of min-max normalised scores, as Weaviate's
 * relativeScoreFusion: {@code (w_d * norm(dense) + w_t * norm(text)) / (w_d + w_t)}, a point missing from one
 * ranking scoring 0 there. Keeps how far apart the scores are, so a clear dense winner stays one.</li>
 * <li>{@link Fusion#DBSF}: distribution-based score fusion, as Qdrant's: each ranking's scores normalised over
 * {@code mean +- 3 standard deviations} (clipped to [0, 1]), then the same weighted combination; less
 * sensitive than min-max to one outlying top score.</li>
 * </ul>
 * Scores given here must be "higher is better" (callers negate distances).
 */
public final class RankFusion {
    private RankFusion() {
    }

    public enum Fusion {
        RRF, RELATIVE_SCORE, DBSF
    }

    /** An item with its score in one ranking (higher is better). */
    public record Scored<K>(K key, float score) {
    }

    /** An item and its fused score. */
    public record Fused<K>(K key, float score) {
    }

    /** Fuses two best-first rankings by {@code method}; ties keep the dense order. Returns the best {@code topK}. */
    public static <K> List<Fused<K>> fuse(Fusion method, List<Scored<K>> dense, List<Scored<K>> text,
            float denseWeight, float textWeight, int topK) {
        Map<K, Float> fused = new LinkedHashMap<>();
        switch (method) {
            case RRF -> {
                for (int i = 0; i < dense.size(); i++) {
                    fused.merge(dense.get(i).key(), denseWeight / (SearchQuery.RRF_K + i + 1), Float::sum);
                }
                for (int i = 0; i < text.size(); i++) {
                    fused.merge(text.get(i).key(), textWeight / (SearchQuery.RRF_K + i + 1), Float::sum);
                }
            }
            case RELATIVE_SCORE, DBSF -> {
                float total = denseWeight + textWeight;
                addNormalised(fused, dense, denseWeight / total, method);
                addNormalised(fused, text, textWeight / total, method);
            }
        }
        return fused.entrySet().stream()
                .sorted(Map.Entry.<K, Float>comparingByValue().reversed())
                .limit(topK).map(e -> new Fused<>(e.getKey(), e.getValue())).toList();
    }

    private static <K> void addNormalised(Map<K, Float> into, List<Scored<K>> ranking, float weight, Fusion method) {
        if (ranking.isEmpty()) {
            return;
        }
        double low;
        double high;
        if (method == Fusion.RELATIVE_SCORE) {
            low = Double.POSITIVE_INFINITY;
            high = Double.NEGATIVE_INFINITY;
            for (Scored<K> s : ranking) {
                low = Math.min(low, s.score());
                high = Math.max(high, s.score());
            }
        } else {
            double sum = 0;
            double squares = 0;
            for (Scored<K> s : ranking) {
                sum += s.score();
                squares += (double) s.score() * s.score();
            }
            double mean = sum / ranking.size();
            double sd = Math.sqrt(Math.max(0, squares / ranking.size() - mean * mean));
            low = mean - 3 * sd;
            high = mean + 3 * sd;
        }
        double range = high - low;
        for (Scored<K> s : ranking) {
            // One hit, or all equal: each is as good as the best of that ranking.
            double norm = range <= 0 ? 1 : Math.min(1, Math.max(0, (s.score() - low) / range));
            into.merge(s.key(), (float) (weight * norm), Float::sum);
        }
    }
}
