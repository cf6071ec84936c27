package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.retrieve.Passage;
import java.util.List;

/**
 * A complete answer.
 *
 * @param citations    the passages the answer cites by its [n] markers, in order of first use
 * @param passages     every passage retrieved, best first (including any left out of the prompt), less those the
 *                     prompt-injection check stripped
 * @param context      the passages put in the prompt, in the order of their markers
 * @param citesNothing the answer holds no marker of a passage in the prompt
 * @param finishReason "stop" or "length", from the generation stage
 * @param guardNotes   what the guardrails did: passages stripped or flagged, a flagged question (empty if nothing)
 * @param traceId      the OpenTelemetry trace the query ran in ("" when there is none)
 */
public record RagAnswer(String requestId, String traceId, String answer, List<Citation> citations, List<Passage> passages,
        List<Passage> context, boolean citesNothing, String finishReason, AnswerGenerator.Usage usage, Timings timings,
        String embeddingModel, String generationModel, int droppedPassages, List<String> guardNotes) {

    /** @param marker the [n] of the passage in the prompt */
    public record Citation(int marker, String documentId, int chunkIndex, float score) {
    }

    /**
     * Milliseconds per step; a step that did not run is 0.
     *
     * @param guardMs the prompt-injection check (its own embedding call of the question and passages)
     */
    public record Timings(double embedMs, double searchMs, double rerankMs, double guardMs, double generateMs,
            double totalMs) {
    }
}
