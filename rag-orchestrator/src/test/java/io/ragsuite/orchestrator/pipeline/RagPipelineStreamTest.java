package io.ragsuite.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.prompt.DefaultPromptBuilder;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.orchestrator.retrieve.Retriever;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The one streaming path behind the three front doors ({@link RagPipeline#stream}): events in order, generation
 * stopped as soon as the client is gone, and every failure (bad input included) delivered as an event, never
 * thrown. The retriever and generator are in-memory stand-ins; the front doors run for real end to end.
 */
class RagPipelineStreamTest {
    private static final List<String> PIECES = List.of("Keys ", "map to ", "buckets [1].");
    /** How many pieces the stand-in generator got through before it was stopped. */
    private int generatedPieces;

    private final Retriever retriever = (query, k) -> CompletableFuture.completedFuture(new Retriever.Retrieval(
            List.of(new Passage("hash-table", 0, "Hash table", "A hash table maps keys to buckets.", 0.9f)), "emb", 1, 2));

    /** Streams its pieces as a real generator does: a piece the consumer refuses ends the call with that failure. */
    private final AnswerGenerator generator = (messages, options, onDelta) -> {
        for (String piece : PIECES) {
            try {
                onDelta.accept(piece);
            } catch (RuntimeException stop) {
                return CompletableFuture.failedFuture(stop);
            }
            generatedPieces++;
        }
        return CompletableFuture.completedFuture(new AnswerGenerator.Answer(String.join("", PIECES), "gen", "stop",
                new AnswerGenerator.Usage(50, 3)));
    };

    private final RagPipeline pipeline = new RagPipeline(RagPipeline.Stages.of(retriever, new DefaultPromptBuilder(3000),
            generator), new RagLimits(4, 20, 1500, 256), new QueryDefaults(RagQuery.Retrieval.DENSE,
            RagQuery.Fusion.RRF, 1, 1, RagQuery.RerankMode.NONE, 0f), QueryObserver.NONE);

    /** Records every event as text, in order. */
    private static final class Recorder implements AnswerStream {
        final List<String> events = new ArrayList<>();
        Throwable failure;
        int goneAfterDeltas = Integer.MAX_VALUE;
        int deltas;

        @Override
        public void passages(List<Passage> passages) {
            events.add("passages " + passages.stream().map(Passage::documentId).toList());
        }

        @Override
        public void delta(String text) {
            deltas++;
            events.add("delta " + text);
        }

        @Override
        public void done(RagAnswer answer) {
            events.add("done " + answer.answer() + " " + answer.citations().size());
        }

        @Override
        public void failed(Throwable failure) {
            this.failure = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            events.add("failed");
        }

        @Override
        public boolean clientGone() {
            return deltas >= goneAfterDeltas;
        }
    }

    @Test
    void passagesThenEveryDeltaThenDone() {
        Recorder out = new Recorder();
        pipeline.stream(RagQuery.of("What is a hash table?"), out);
        assertEquals(List.of("passages [hash-table]", "delta Keys ", "delta map to ", "delta buckets [1].",
                "done Keys map to buckets [1]. 1"), out.events);
    }

    @Test
    void aClientThatGoesAwayStopsGenerationAtOnce() {
        Recorder out = new Recorder();
        out.goneAfterDeltas = 1;
        pipeline.stream(RagQuery.of("What is a hash table?"), out);
        assertEquals(List.of("passages [hash-table]", "delta Keys ", "failed"), out.events);
        assertInstanceOf(CancellationException.class, out.failure);
        assertEquals(1, generatedPieces, "the generator was stopped at the next piece");
    }

    @Test
    void badInputArrivesAsAFailureEventNotAnException() {
        Recorder out = new Recorder();
        pipeline.stream(RagQuery.of(" "), out);
        assertEquals(List.of("failed"), out.events);
        assertTrue(out.failure instanceof ServiceException e && e.getMessage().contains("question"), out.failure.toString());
        assertEquals(0, generatedPieces);
    }
}
