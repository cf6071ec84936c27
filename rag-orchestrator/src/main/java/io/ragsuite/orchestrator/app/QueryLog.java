package io.ragsuite.orchestrator.app;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.ragsuite.orchestrator.pipeline.QueryObserver;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.ServiceException;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Traces and logs each query. Every query gets its own span, {@code rag query} (under the HTTP or gRPC server
 * span where there is one, else the root of its trace), current while the pipeline starts its stage calls, so
 * the stage spans and gRPC hops hang under it; the answer carries its trace id. One log line per query (logger
 * {@code rag.query}) has the request id and trace id as MDC fields, so JSON logs (RAG_LOG_JSON=true) carry them
 * as {@code requestId} and {@code traceId}; the span has the request id as {@code rag.request_id}, so a trace can
 * be found from an answer and the other way round.
 */
final class QueryLog implements QueryObserver {
    static final String REQUEST_ID = "requestId";
    private static final Logger LOG = Logger.getLogger("rag.query");

    private final Tracer tracer;

    QueryLog(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Run start(String requestId) {
        Span span = tracer.spanBuilder("rag query").setAttribute("rag.request_id", requestId).startSpan();
        Scope scope = Context.current().with(span).makeCurrent();
        String traceId = span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : "";
        return new Run() {
            @Override
            public String traceId() {
                return traceId;
            }

            @Override
            public void answered(RagAnswer a) {
                span.end();
                withIds(requestId, traceId, () -> LOG.infof(
                        "answered in %.1f ms (embed %.1f, search %.1f, generate %.1f) with %d citations, model %s%s",
                        a.timings().totalMs(), a.timings().embedMs(), a.timings().searchMs(), a.timings().generateMs(),
                        a.citations().size(), a.generationModel(),
                        a.guardNotes().isEmpty() ? "" : "; guard: " + a.guardNotes()));
            }

            @Override
            public void failed(double totalMs, Throwable failure) {
                Throwable t = Failures.unwrap(failure);
                span.setStatus(StatusCode.ERROR, String.valueOf(t.getMessage()));
                span.end();
                String kind = t instanceof ServiceException se ? se.kind().name() : t.getClass().getSimpleName();
                // Refusals of bad input and callers that went away are the client's business: info; a failing
                // stage or a bug: warn.
                boolean clientError = t instanceof ServiceException se && se.kind().httpStatus() < 500
                        || t instanceof java.util.concurrent.CancellationException;
                withIds(requestId, traceId, () -> LOG.logf(clientError ? Logger.Level.INFO : Logger.Level.WARN,
                        "failed after %.1f ms: %s: %s", totalMs, kind, t.getMessage()));
            }

            @Override
            public void close() {
                scope.close();
            }
        };
    }

    private static void withIds(String requestId, String traceId, Runnable log) {
        // The outcome may be reported on a gRPC client thread outside the query's context: set both ids here.
        Object previousRequest = MDC.get(REQUEST_ID);
        Object previousTrace = MDC.get("traceId");
        MDC.put(REQUEST_ID, requestId);
        if (!traceId.isEmpty()) {
            MDC.put("traceId", traceId);
        }
        try {
            log.run();
        } finally {
            restore(REQUEST_ID, previousRequest);
            restore("traceId", previousTrace);
        }
    }

    private static void restore(String key, Object previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
