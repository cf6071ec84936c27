package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.api.v1.Filter;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.Locale;

/**
 * One question and how to answer it, carried unchanged through every stage (LangChain4j's {@code Query} with its
 * per-request max results, min score and filter). Every option may be null (or 0 where noted), meaning "the
 * server's default"; {@link #resolve} fills those in from {@link QueryDefaults} and checks every value against
 * {@link RagLimits}, failing with an error that names the field. The front doors (REST, gRPC, OpenAI) only map
 * their own formats onto this record.
 *
 * <p>The filter is the public contract's {@code rag.v1.Filter} (a plain protobuf value, not a gRPC type): the
 * vector search stage is what evaluates it, and it rejects bad filters with a message naming the condition.
 *
 * @param topK        passages wanted; 0: default
 * @param filter      metadata restriction, or null
 * @param retrieval   dense, BM25 or hybrid; null: default
 * @param fusion      hybrid only; null: default
 * @param denseWeight hybrid only, >= 0; null: default
 * @param bm25Weight  hybrid only, >= 0; null: default
 * @param minScore    passages scoring below it are left out; null: none
 * @param rerank      null: default
 * @param maxTokens   0: default
 * @param temperature 0 (greedy) to 2; null: default
 * @param seed        sampler seed; null: random
 * @param model       generation model or LoRA adapter; null or empty: the generation stage's default
 */
public record RagQuery(String question, int topK, Filter filter, Retrieval retrieval, Fusion fusion, Float denseWeight,
        Float bm25Weight, Float minScore, RerankMode rerank, int maxTokens, Float temperature, Long seed, String model) {

    public enum Retrieval {
        DENSE, BM25, HYBRID
    }

    /** How hybrid retrieval fuses its two rankings (see the vector search stage's {@code RankFusion}). */
    public enum Fusion {
        RRF, RELATIVE_SCORE, DBSF
    }

    public enum RerankMode {
        NONE, MMR
    }

    /** Highest temperature accepted, as the generation stage and OpenAI accept. */
    public static final float MAX_TEMPERATURE = 2f;
    /** Longest model name (the generation stage's adapter names are at most 64 characters). */
    public static final int MAX_MODEL_CHARS = 128;

    /** A question with every option at its default. */
    public static RagQuery of(String question) {
        return new RagQuery(question, 0, null, null, null, null, null, null, null, 0, null, null, null);
    }

    public RagQuery withTopK(int k) {
        return new RagQuery(question, k, filter, retrieval, fusion, denseWeight, bm25Weight, minScore, rerank, maxTokens,
                temperature, seed, model);
    }

    /** Whether any generation option is set (refused by retrieval-only calls, which would ignore them). */
    public boolean hasGenerationOptions() {
        return maxTokens != 0 || temperature != null || seed != null || (model != null && !model.isEmpty());
    }

    /**
     * This query with every unset option taken from {@code defaults}, after checking every value.
     *
     * @throws ServiceException INVALID_ARGUMENT naming the field of the first bad value
     */
    public RagQuery resolve(QueryDefaults defaults, RagLimits limits) {
        Require.nonBlank(question, "question");
        Require.maxLength(question, limits.maxQuestionChars(), "question");
        int k = topK == 0 ? limits.defaultTopK() : Require.inRange(topK, 1, limits.maxTopK(), "top_k");
        Retrieval mode = retrieval == null ? defaults.retrieval() : retrieval;
        if (mode != Retrieval.HYBRID) {
            // Accepting them would silently do nothing.
            Require.that(fusion == null, "fusion applies only to retrieval=hybrid (retrieval is "
                    + name(mode) + ")");
            Require.that(denseWeight == null && bm25Weight == null,
                    "dense_weight and bm25_weight apply only to retrieval=hybrid (retrieval is " + name(mode) + ")");
        }
        checkWeight(denseWeight, "dense_weight");
        checkWeight(bm25Weight, "bm25_weight");
        float dense = denseWeight == null ? defaults.denseWeight() : denseWeight;
        float bm25 = bm25Weight == null ? defaults.bm25Weight() : bm25Weight;
        Require.that(mode != Retrieval.HYBRID || dense + bm25 > 0, "dense_weight and bm25_weight must not both be 0");
        Require.that(minScore == null || Float.isFinite(minScore), "min_score must be a finite number");
        int tokens = maxTokens == 0 ? limits.maxAnswerTokens()
                : Require.inRange(maxTokens, 1, limits.maxAnswerTokens(), "max_tokens");
        Require.that(temperature == null || (temperature >= 0 && temperature <= MAX_TEMPERATURE),
                "temperature must be within [0, " + MAX_TEMPERATURE + "], not " + temperature);
        String m = model == null ? "" : model.strip();
        Require.maxLength(m, MAX_MODEL_CHARS, "model");
        return new RagQuery(question, k, filter, mode, fusion == null ? defaults.fusion() : fusion, dense, bm25, minScore,
                rerank == null ? defaults.rerank() : rerank, tokens, temperature == null ? defaults.temperature() : temperature,
                seed, m);
    }

    private static void checkWeight(Float w, String field) {
        Require.that(w == null || (Float.isFinite(w) && w >= 0), field + " must be a finite number >= 0, not " + w);
    }

    /** Lower-case name of an option value, as the REST and OpenAI bodies spell it. */
    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses an option value spelled as in the REST body ("hybrid", "relative_score"; any case).
     *
     * @throws ServiceException INVALID_ARGUMENT naming the field and the accepted values
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            StringBuilder accepted = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                accepted.append(accepted.isEmpty() ? "" : ", ").append(name(c));
            }
            throw ServiceException.invalid(field + " must be one of " + accepted + ", not '" + value + "'");
        }
    }
}
