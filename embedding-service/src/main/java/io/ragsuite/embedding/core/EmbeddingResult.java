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

    /** The vectors one after another, as a row-major [texts, dimension] tensor. */
    public float[] flattened() {
        float[] out = new float[vectors.length * dimension];
        for (int i = 0; i < vectors.length; i++) {
            System.arraycopy(vectors[i], 0, out, i * dimension, dimension);
        }
        return out;
    }
}
