package io.ragsuite.orchestrator.pipeline;

/**
 * What the pipeline tells the outside about each query (logs, traces), kept as a port so that the pipeline
 * needs neither a logging nor a tracing library. The default observes nothing.
 */
public interface QueryObserver {
    QueryObserver NONE = requestId -> new Run() {
    };

    /**
     * A query begins; called on the thread that called the pipeline. The pipeline starts its stage calls while
     * the returned run is open (so that a tracing implementation can make the query's span current for them) and
     * closes it before returning.
     */
    Run start(String requestId);

    /** One query, from its start to its outcome. */
    interface Run extends AutoCloseable {
        /** The id of the trace the query runs in, or "" when there is none. */
        default String traceId() {
            return "";
        }

        /** The query was answered. */
        default void answered(RagAnswer answer) {
        }

        /** The query failed (bad input, a refused question, a failing stage). */
        default void failed(double totalMs, Throwable failure) {
        }

        /** The pipeline has started what it starts on the calling thread; the outcome comes later. */
        @Override
        default void close() {
        }
    }
}
