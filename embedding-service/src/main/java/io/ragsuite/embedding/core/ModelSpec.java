package io.ragsuite.embedding.core;

/**
 * What the engine needs to know about a model besides its weights.
 *
 * @param name      the name clients select it by
 * @param pooling   how token vectors are pooled
 * @param normalize whether vectors are L2-normalised (then cosine equals dot product)
 * @param maxTokens the longest input, in tokens including special tokens, the model accepts
 * @param maxTextsPerCall texts one model call may hold, 0 for the batcher's own limit. 1 for dynamically
 *                  quantized (int8) models: their activation scales are computed over the whole input
 *                  tensor, padding included, so a text's vector would depend on the other texts of its batch.
 */
public record ModelSpec(String name, Pooling pooling, boolean normalize, int maxTokens, int maxTextsPerCall) {
    public ModelSpec(String name, Pooling pooling, boolean normalize, int maxTokens) {
        this(name, pooling, normalize, maxTokens, 0);
    }

    public ModelSpec {
        if (maxTextsPerCall < 0) {
            throw new IllegalArgumentException("maxTextsPerCall must be >= 0");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be empty");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be >= 2");
        }
    }
}
