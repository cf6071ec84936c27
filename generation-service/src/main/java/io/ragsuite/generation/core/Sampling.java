package io.ragsuite.generation.core;

import io.ragsuite.support.error.Require;
import java.util.List;

/**
 * Decoding settings of one request, already defaulted and checked.
 *
 * @param seed       null picks a random seed
 * @param ignoreEos  keep generating past the end-of-sequence token until {@code maxTokens} (as vLLM's
 *                   {@code ignore_eos}; benchmarks use it for fixed output lengths)
 * @param grammar    a GBNF grammar the output must follow, or null
 * @param jsonSchema a JSON Schema (as JSON text) the output must follow, or null; at most one of the two
 */
public record Sampling(int maxTokens, float temperature, float topP, int topK, float minP, float repetitionPenalty,
        Integer seed, List<String> stop, boolean ignoreEos, String grammar, String jsonSchema) {
    public static final float DEFAULT_TEMPERATURE = 0.7f;
    public static final float DEFAULT_TOP_P = 0.95f;
    public static final int DEFAULT_TOP_K = 40;
    public static final float DEFAULT_MIN_P = 0.05f;
    public static final float DEFAULT_REPETITION_PENALTY = 1.0f;
    /** Longest grammar or schema text accepted; a grammar is compiled per request. */
    public static final int MAX_CONSTRAINT_CHARS = 64 * 1024;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Unconstrained sampling. */
    public Sampling(int maxTokens, float temperature, float topP, int topK, float minP, float repetitionPenalty,
            Integer seed, List<String> stop) {
        this(maxTokens, temperature, topP, topK, minP, repetitionPenalty, seed, stop, false, null, null);
    }

    /** What a client asked for; null (or 0 for max tokens) means the default. */
    public record Requested(int maxTokens, Float temperature, Float topP, Integer topK, Float minP,
            Float repetitionPenalty, Long seed, List<String> stop, Boolean ignoreEos, String grammar,
            String jsonSchema) {
        public Requested(int maxTokens, Float temperature, Float topP, Integer topK, Float minP,
                Float repetitionPenalty, Long seed, List<String> stop) {
            this(maxTokens, temperature, topP, topK, minP, repetitionPenalty, seed, stop, null, null, null);
        }
    }

    /** Applies defaults to unset values and checks ranges. */
    public static Sampling of(Requested r, GenerationLimits limits) {
        int max = r.maxTokens() == 0 ? limits.defaultMaxTokens() : r.maxTokens();
        Require.inRange(max, 1, limits.maxTokens(), "max_tokens");
        float t = r.temperature() == null ? DEFAULT_TEMPERATURE : r.temperature();
        Require.that(t >= 0 && t <= 2, "temperature must be between 0 and 2, got " + t);
        float p = r.topP() == null ? DEFAULT_TOP_P : r.topP();
        Require.that(p > 0 && p <= 1, "top_p must be in (0, 1], got " + p);
        int k = r.topK() == null ? DEFAULT_TOP_K : r.topK();
        Require.that(k >= 0, "top_k must be >= 0, got " + k);
        float mp = r.minP() == null ? DEFAULT_MIN_P : r.minP();
        Require.that(mp >= 0 && mp < 1, "min_p must be in [0, 1), got " + mp);
        float rp = r.repetitionPenalty() == null ? DEFAULT_REPETITION_PENALTY : r.repetitionPenalty();
        Require.that(rp >= 1 && rp <= 2, "repetition_penalty must be between 1 and 2, got " + rp);
        List<String> stops = r.stop() == null ? List.of() : List.copyOf(r.stop());
        Require.size(stops, 0, 8, "stop");
        for (String s : stops) {
            Require.nonBlank(s, "stop sequence");
        }
        Integer s = null;
        if (r.seed() != null) {
            Require.that(r.seed() >= 0 && r.seed() <= Integer.MAX_VALUE, "seed must be between 0 and " + Integer.MAX_VALUE);
            s = r.seed().intValue();
        }
        String grammar = blankToNull(r.grammar());
        String schema = blankToNull(r.jsonSchema());
        Require.that(grammar == null || schema == null, "give a grammar or a json_schema, not both");
        Require.that(grammar == null || grammar.length() <= MAX_CONSTRAINT_CHARS,
                "grammar is longer than " + MAX_CONSTRAINT_CHARS + " characters");
        Require.that(schema == null || schema.length() <= MAX_CONSTRAINT_CHARS,
                "json_schema is longer than " + MAX_CONSTRAINT_CHARS + " characters");
        if (grammar != null) {
            GbnfGrammar.check(grammar);
        }
        if (schema != null) {
            try {
                Require.that(JSON.readTree(schema).isObject(), "json_schema must be a JSON object");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw io.ragsuite.support.error.ServiceException.invalid("json_schema is not JSON: " + e.getOriginalMessage());
            }
        }
        return new Sampling(max, t, p, k, mp, rp, s, stops, Boolean.TRUE.equals(r.ignoreEos()), grammar, schema);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
