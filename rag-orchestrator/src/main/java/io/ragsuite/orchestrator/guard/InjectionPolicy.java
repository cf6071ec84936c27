package io.ragsuite.orchestrator.guard;

/**
 * What the pipeline does with a suspicious text: {@code BLOCK} refuses the query (INVALID_ARGUMENT / 400 naming
 * the reasons), {@code STRIP} leaves a suspicious passage out of the prompt (and says so in the answer),
 * {@code FLAG} lets it through and notes it in the answer, {@code OFF} does not check.
 */
public enum InjectionPolicy {
    OFF, FLAG, STRIP, BLOCK
}
