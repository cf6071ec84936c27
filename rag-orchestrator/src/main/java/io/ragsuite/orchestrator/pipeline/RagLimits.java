package io.ragsuite.orchestrator.pipeline;

/**
 * Query limits, all configurable.
 *
 * @param defaultTopK      passages retrieved when a request does not say
 * @param maxTopK          most passages a request may ask for
 * @param maxQuestionChars longest question
 * @param maxAnswerTokens  tokens the model may generate per answer
 */
public record RagLimits(int defaultTopK, int maxTopK, int maxQuestionChars, int maxAnswerTokens) {
}
