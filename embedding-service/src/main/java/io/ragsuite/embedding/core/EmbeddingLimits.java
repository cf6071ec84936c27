package io.ragsuite.embedding.core;

/**
 * Per-request limits, all configurable.
 *
 * @param maxTexts     texts per request
 * @param maxTextChars characters per text, checked before tokenizing so a huge text costs nothing
 * @param workers      requests run at once (each one uses ONNX Runtime's intra-op threads)
 * @param maxQueued    requests allowed to wait; beyond that a request fails with RESOURCE_EXHAUSTED
 */
public record EmbeddingLimits(int maxTexts, int maxTextChars, int workers, int maxQueued) {
}
