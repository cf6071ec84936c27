package io.ragsuite.embedding.core;

/**
 * Per-request limits and batching settings, all configurable.
 *
 * @param maxTexts       texts per request
 * @param maxTextChars   characters per text, checked before tokenizing so a huge text costs nothing
 * @param workers        batches computed at once (each one uses ONNX Runtime's intra-op threads)
 * @param maxBatchTexts  texts gathered into one batch across requests
 * @param maxBatchTokens padded tokens (texts x longest length) per model call, as TEI's max-batch-tokens
 * @param batchDelayUs   how long the first request of a batch waits for others to join, in microseconds
 * @param maxQueuedTexts texts allowed to wait; beyond that a request fails with RESOURCE_EXHAUSTED
 */
public record EmbeddingLimits(int maxTexts, int maxTextChars, int workers, int maxBatchTexts, int maxBatchTokens,
        long batchDelayUs, int maxQueuedTexts) {
}
