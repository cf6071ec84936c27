package io.ragsuite.orchestrator.pipeline;

import java.util.List;

/**
 * A complete answer.
 *
 * @param citations the passages given to the model, with the markers it was asked to cite them by
 * @param passages  every passage retrieved, best first (including any left out of the prompt), less those the
 *                  prompt-injection check stripped
 * @param guardNotes what the guardrails did: passages stripped or flagged, a flagged question (empty if nothing)
 * @param traceId   the OpenTelemetry trace the query ran in ("" when there is none)
 */
public record RagAnswer(String requestId, String traceId, String answer, List<Citation> citations, List<Passage> passages,
        Timings timings, String embeddingModel, String generationModel, int droppedPassages, List<String> guardNotes) {

    public record Citation(int marker, String documentId, int chunkIndex, float score) {
    }

    public record Timings(double embedMs, double searchMs, double generateMs, double totalMs) {
    }
}
