package io.ragsuite.generation.core;

/**
 * The outcome of one generation.
 *
 * @param finishReason "stop" (end of sequence or a stop string) or "length" (max tokens reached)
 */
public record GenerationResult(String text, String finishReason, int promptTokens, int completionTokens, String model,
        long queueUs, long computeUs, long totalUs, long timeToFirstTokenUs) {
}
