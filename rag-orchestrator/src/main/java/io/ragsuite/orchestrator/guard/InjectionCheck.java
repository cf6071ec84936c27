package io.ragsuite.orchestrator.guard;

import java.util.List;

/**
 * The verdict on one text.
 *
 * @param similarity highest cosine similarity to the seed attacks (0 when not computed)
 * @param reasons    the rules that fired, and the similarity when it crossed the threshold
 */
public record InjectionCheck(boolean suspicious, double similarity, List<String> reasons) {
}
