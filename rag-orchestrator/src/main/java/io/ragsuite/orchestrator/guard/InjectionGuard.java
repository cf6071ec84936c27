package io.ragsuite.orchestrator.guard;

/**
 * The pipeline's prompt-injection stage: a detector and what to do with a suspicious question or passage.
 *
 * @param questionPolicy BLOCK or FLAG (STRIP means BLOCK for a question: there is nothing to answer without it)
 * @param passagePolicy  STRIP (default), BLOCK or FLAG
 */
public record InjectionGuard(InjectionDetector detector, InjectionPolicy questionPolicy, InjectionPolicy passagePolicy) {
    public boolean active() {
        return questionPolicy != InjectionPolicy.OFF || passagePolicy != InjectionPolicy.OFF;
    }
}
