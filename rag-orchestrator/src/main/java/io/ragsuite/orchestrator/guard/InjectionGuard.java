package io.ragsuite.orchestrator.guard;

import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The pipeline's prompt-injection stage: a detector and what to do with a suspicious question or passage.
 *
 * @param questionPolicy BLOCK or FLAG (STRIP means BLOCK for a question: there is nothing to answer without it)
 * @param passagePolicy  STRIP (default), BLOCK or FLAG
 */
public record InjectionGuard(InjectionDetector detector, InjectionPolicy questionPolicy, InjectionPolicy passagePolicy) {
    /** A guard that checks nothing. */
    public static final InjectionGuard OFF = new InjectionGuard(texts -> CompletableFuture.completedFuture(List.of()),
            InjectionPolicy.OFF, InjectionPolicy.OFF);

    public boolean active() {
        return questionPolicy != InjectionPolicy.OFF || passagePolicy != InjectionPolicy.OFF;
    }

    /**
     * The passages kept and what the guard did.
     *
     * @param notes one line per passage stripped or flagged, and for a flagged question
     */
    public record Screened(List<Passage> kept, List<String> notes) {
    }

    /**
     * Checks the question and the passages (indirect injection through documents) as the policies say: refuses
     * the query (INVALID_ARGUMENT), or leaves passages out, or notes what it found.
     */
    public CompletionStage<Screened> screen(String question, List<Passage> passages) {
        if (!active()) {
            return CompletableFuture.completedFuture(new Screened(passages, List.of()));
        }
        List<String> texts = new ArrayList<>();
        texts.add(question);
        passages.forEach(p -> texts.add(p.text()));
        return detector.check(texts).thenApply(checks -> {
            List<String> notes = new ArrayList<>();
            InjectionCheck q = checks.get(0);
            if (q.suspicious() && questionPolicy != InjectionPolicy.OFF) {
                if (questionPolicy == InjectionPolicy.FLAG) {
                    notes.add("question flagged by the prompt-injection check: " + String.join(", ", q.reasons()));
                } else {
                    throw ServiceException.invalid("the question was refused by the prompt-injection check ("
                            + String.join(", ", q.reasons()) + ")");
                }
            }
            List<Passage> kept = new ArrayList<>();
            for (int i = 0; i < passages.size(); i++) {
                Passage p = passages.get(i);
                InjectionCheck c = checks.get(i + 1);
                if (!c.suspicious() || passagePolicy == InjectionPolicy.OFF) {
                    kept.add(p);
                    continue;
                }
                String where = p.documentId() + "#" + p.chunkIndex();
                switch (passagePolicy) {
                    case BLOCK -> throw ServiceException.invalid("a retrieved passage (" + where
                            + ") was refused by the prompt-injection check (" + String.join(", ", c.reasons()) + ")");
                    case STRIP -> notes.add("passage " + where + " left out by the prompt-injection check: "
                            + String.join(", ", c.reasons()));
                    default -> {
                        notes.add("passage " + where + " flagged by the prompt-injection check: "
                                + String.join(", ", c.reasons()));
                        kept.add(p);
                    }
                }
            }
            return new Screened(kept, List.copyOf(notes));
        });
    }
}
