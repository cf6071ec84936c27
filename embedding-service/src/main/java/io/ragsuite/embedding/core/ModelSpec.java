package io.ragsuite.embedding.core;

/**
 * What the engine needs to know about a model besides its weights.
 *
 * @param name      the name clients select it by
 * @param pooling   how token vectors are pooled
 * @param normalize whether vectors are L2-normalised (then cosine equals dot product)
 * @param maxTokens the longest input, in tokens including special tokens, the model accepts
 */
public record ModelSpec(String name, Pooling pooling, boolean normalize, int maxTokens) {
    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be empty");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be >= 2");
        }
    }
}
