package io.ragsuite.orchestrator.rest;

import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.pipeline.Passage;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.support.error.Require;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** REST RAG queries: {@code POST /v1/rag/query} and the server-sent-events variant {@code /v1/rag/query/stream}. */
@Path("/v1/rag")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RagResource {
    private final RagPipeline pipeline;
    private final PipelineMetrics metrics;

    public RagResource(RagPipeline pipeline, PipelineMetrics metrics) {
        this.pipeline = pipeline;
        this.metrics = metrics;
    }

    public record QueryBody(String question, int topK) {
    }

    /** SSE events: first {@code passages}, then many {@code delta}, last {@code done}. */
    public record QueryEvent(List<Passage> passages, String delta, RagAnswer done) {
    }

    @POST
    @Path("/query")
    public Uni<RagAnswer> query(QueryBody body) {
        Require.that(body != null, "request body is required: {\"question\": \"...\"}");
        return Uni.createFrom().completionStage(() -> pipeline.query(body.question(), body.topK()))
                .invoke(a -> metrics.record("rest", a));
    }

    @POST
    @Path("/query/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<QueryEvent> stream(QueryBody body) {
        Require.that(body != null, "request body is required: {\"question\": \"...\"}");
        pipeline.check(body.question(), body.topK());
        return Multi.createFrom().emitter(emitter -> pipeline.query(body.question(), body.topK(),
                passages -> emitter.emit(new QueryEvent(passages, null, null)),
                delta -> {
                    // Throwing here cancels the generation call, which frees its slot at once.
                    if (emitter.isCancelled()) {
                        throw new CancellationException("client went away");
                    }
                    emitter.emit(new QueryEvent(null, delta, null));
                })
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        emitter.fail(failure);
                    } else {
                        metrics.record("rest", answer);
                        emitter.emit(new QueryEvent(null, null, answer));
                        emitter.complete();
                    }
                }));
    }
}
