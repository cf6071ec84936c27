package io.ragsuite.generation.core;

/**
 * Server limits, all configurable.
 *
 * @param defaultMaxTokens tokens generated when a request does not say
 * @param maxTokens        most tokens a request may ask for
 * @param maxMessages      messages per request
 * @param maxPromptChars   characters over all messages, checked before tokenizing
 * @param maxQueued        requests allowed to wait for a free slot
 */
public record GenerationLimits(int defaultMaxTokens, int maxTokens, int maxMessages, int maxPromptChars, int maxQueued) {
}
