package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.retrieve.Passage;
import java.util.List;

/** The answer to a retrieval-only query: the passages a prompt would get, best first (generate_ms is 0). */
public record RetrievalAnswer(String requestId, String traceId, List<Passage> passages, RagAnswer.Timings timings,
        String embeddingModel, List<String> guardNotes) {

    /** As an answer with no text, for observers that log every query the same way. */
    RagAnswer asAnswer() {
        return new RagAnswer(requestId, traceId, "", List.of(), passages, List.of(), true, "", AnswerGenerator.Usage.NONE,
                timings, embeddingModel, "", 0, guardNotes);
    }
}
