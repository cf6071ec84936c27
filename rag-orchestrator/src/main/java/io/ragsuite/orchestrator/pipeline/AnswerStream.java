package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.orchestrator.retrieve.Passage;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Where a streamed answer goes: the one port behind every streaming front door (REST server-sent events, gRPC
 * {@code QueryStream}, OpenAI chat chunks), so that the order of events, the client-gone check and the routing of
 * failures are written once, in {@link RagPipeline#stream}, and each front door only maps events to its wire format.
 *
 * <p>Events come in this order: {@link #passages} once (the prompt's passages, before generation starts), then any
 * number of {@link #delta}, then exactly one of {@link #done} or {@link #failed}. A failure found before the stream
 * could start (bad input, a refused question, a failed retrieval) also ends in {@link #failed}, so that a front door
 * that has sent nothing yet can still answer with its own error status.
 */
public interface AnswerStream {
    /** The passages put in the prompt. */
    default void passages(List<Passage> passages) {
    }

    /** A piece of the answer's text, already redacted when a redactor is configured. */
    void delta(String text);

    /** The whole answer, with citations, usage and timings. */
    void done(RagAnswer answer);

    /** The query failed; nothing more follows. */
    void failed(Throwable failure);

    /**
     * True once the client has gone away. Checked before each piece of text: generation then stops at once and its
     * slot is freed, and the stream ends in {@link #failed} with a {@link java.util.concurrent.CancellationException}.
     */
    boolean clientGone();

    /** A stream made of one function per event, for front doors whose sink is an emitter of their own events. */
    static AnswerStream of(Consumer<List<Passage>> passages, Consumer<String> delta, Consumer<RagAnswer> done,
            Consumer<Throwable> failed, BooleanSupplier clientGone) {
        return new AnswerStream() {
            @Override
            public void passages(List<Passage> p) {
                passages.accept(p);
            }

            @Override
            public void delta(String text) {
                delta.accept(text);
            }

            @Override
            public void done(RagAnswer answer) {
                done.accept(answer);
            }

            @Override
            public void failed(Throwable failure) {
                failed.accept(failure);
            }

            @Override
            public boolean clientGone() {
                return clientGone.getAsBoolean();
            }
        };
    }
}
