package io.ragsuite.vectorsearch.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reciprocal rank fusion of a dense and a text ranking (see {@link SearchQuery}). */
public final class RankFusion {
    private RankFusion() {
    }

    /** An item and its fused score. */
    public record Fused<K>(K key, float score) {
    }

    /**
     * Fuses two best-first lists of keys: {@code score = w_dense / (k + rank_dense) + w_text / (k + rank_text)};
     * ties keep the dense order. Returns the best {@code topK}.
     */
    public static <K> List<Fused<K>> rrf(List<K> dense, List<K> text, float denseWeight, float textWeight, int topK) {
        Map<K, Float> fused = new LinkedHashMap<>();
        for (int i = 0; i < dense.size(); i++) {
            fused.merge(dense.get(i), denseWeight / (SearchQuery.RRF_K + i + 1), Float::sum);
        }
        for (int i = 0; i < text.size(); i++) {
            fused.merge(text.get(i), textWeight / (SearchQuery.RRF_K + i + 1), Float::sum);
        }
        return fused.entrySet().stream()
                .sorted(Map.Entry.<K, Float>comparingByValue().reversed())
                .limit(topK).map(e -> new Fused<>(e.getKey(), e.getValue())).toList();
    }
}
