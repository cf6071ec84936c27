package io.ragsuite.generation.core;

import io.ragsuite.support.error.Require;
import java.util.List;

/**
 * Sampling settings of one request, already defaulted and checked.
 *
 * @param seed null picks a random seed
 */
public record Sampling(int maxTokens, float temperature, float topP, int topK, float minP, float repetitionPenalty,
        Integer seed, List<String> stop) {
    public static final float DEFAULT_TEMPERATURE = 0.7f;
    public static final float DEFAULT_TOP_P = 0.95f;
    public static final int DEFAULT_TOP_K = 40;
    public static final float DEFAULT_MIN_P = 0.05f;
    public static final float DEFAULT_REPETITION_PENALTY = 1.0f;

    /** Applies defaults to unset (null or 0) values and checks ranges. */
    public static Sampling of(int maxTokens, Float temperature, Float topP, Integer topK, Float minP,
            Float repetitionPenalty, Long seed, List<String> stop, GenerationLimits limits) {
        int max = maxTokens == 0 ? limits.defaultMaxTokens() : maxTokens;
        Require.inRange(max, 1, limits.maxTokens(), "max_tokens");
        float t = temperature == null ? DEFAULT_TEMPERATURE : temperature;
        Require.that(t >= 0 && t <= 2, "temperature must be between 0 and 2, got " + t);
        float p = topP == null ? DEFAULT_TOP_P : topP;
        Require.that(p > 0 && p <= 1, "top_p must be in (0, 1], got " + p);
        int k = topK == null ? DEFAULT_TOP_K : topK;
        Require.that(k >= 0, "top_k must be >= 0, got " + k);
        float mp = minP == null ? DEFAULT_MIN_P : minP;
        Require.that(mp >= 0 && mp < 1, "min_p must be in [0, 1), got " + mp);
        float rp = repetitionPenalty == null ? DEFAULT_REPETITION_PENALTY : repetitionPenalty;
        Require.that(rp >= 1 && rp <= 2, "repetition_penalty must be between 1 and 2, got " + rp);
        List<String> stops = stop == null ? List.of() : List.copyOf(stop);
        Require.size(stops, 0, 8, "stop");
        for (String s : stops) {
            Require.nonBlank(s, "stop sequence");
        }
        Integer s = null;
        if (seed != null) {
            Require.that(seed >= 0 && seed <= Integer.MAX_VALUE, "seed must be between 0 and " + Integer.MAX_VALUE);
            s = seed.intValue();
        }
        return new Sampling(max, t, p, k, mp, rp, s, stops);
    }
}
