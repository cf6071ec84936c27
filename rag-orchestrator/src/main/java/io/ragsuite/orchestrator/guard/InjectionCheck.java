package io.ragsuite.orchestrator.guard;

import java.util.List;

/**
 * The verdict on one text.
 *
 * @param score   the injection classifier's probability that the text (its most suspicious sentence) is an attack; 0
 *                when the classifier did not run
 * @param reasons the rules that fired, and the classifier when its score crossed the threshold
 */
public record InjectionCheck(boolean suspicious, double score, List<String> reasons) {
}
