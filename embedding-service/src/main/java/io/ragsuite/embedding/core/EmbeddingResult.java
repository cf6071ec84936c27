package io.ragsuite.embedding.core;

/**
 * Vectors for one request, in input order, with where the time went.
 *
 * @param vectors     one vector per input text
 * @param tokenCounts tokens the model saw per text
 * @param truncated   per text, whether it was cut to the model's limit
 */
public record EmbeddingResult(String model, int dimension, float[][] vectors, int[] tokenCounts, boolean[] truncated,
        long queueUs, long tokenizeUs, long inferenceUs, long totalUs) {
}
