package io.ragsuite.embedding.core;

/**
 * Per-request limits and batching settings, all configurable.
 *
 * @param maxTexts       texts per request
 * @param maxTextChars   characters per text, checked before tokenizing so a huge text costs nothing
 * @param workers        batches computed at once (each one uses ONNX Runtime's intra-op threads)
 * @param maxBatchTexts  texts gathered into one batch across requests
 * @param maxBatchTokens padded tokens (texts x longest length) per model call, as TEI's max-batch-tokens
 * @param maxPaddingFraction share of a model call's padded tokens that may be padding; a call is cut before
 *                       a longer text would push it over (on CPU a padding token costs as much as a real one)
 * @param batchDelayUs   how long the first request of a batch waits for others to join, in microseconds
 * @param maxQueuedTexts texts allowed to wait; beyond that a request fails with RESOURCE_EXHAUSTED
 */
public record EmbeddingLimits(int maxTexts, int maxTextChars, int workers, int maxBatchTexts, int maxBatchTokens,
        double maxPaddingFraction, long batchDelayUs, int maxQueuedTexts) {
    public EmbeddingLimits {
        if (!(maxPaddingFraction >= 0 && maxPaddingFraction < 1)) {
            throw new IllegalArgumentException("max padding fraction must be in [0, 1), got " + maxPaddingFraction);
        }
    }
}
