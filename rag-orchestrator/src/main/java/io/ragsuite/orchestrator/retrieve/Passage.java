package io.ragsuite.orchestrator.retrieve;

/** A retrieved chunk of an ingested document. */
public record Passage(String documentId, int chunkIndex, String title, String text, float score) {
}
