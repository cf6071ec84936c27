package io.ragsuite.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.pipeline.AnswerStream;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.orchestrator.pipeline.RetrievalAnswer;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * REST RAG queries: {@code POST /v1/rag/query}, its server-sent-events variant {@code /v1/rag/query/stream}, and
 * retrieval only, {@code POST /v1/rag/retrieve}. The bodies are read by {@link QueryJson} (every option, strictly).
 */
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

    /** SSE events: first {@code passages} (those in the prompt), then many {@code delta}, last {@code done}. */
    public record QueryEvent(List<Passage> passages, String delta, RagAnswer done) {
    }

    @POST
    @Path("/query")
    public Uni<RagAnswer> query(JsonNode body, @Context HttpServerRequest http) {
        RagQuery query = QueryJson.query(body);
        // A client that hangs up stops the generation at the next token (its slot is freed), as on the stream.
        AtomicBoolean cancelled = new AtomicBoolean();
        return Uni.createFrom().completionStage(() -> pipeline.query(query, () -> cancelled.get() || http.response().closed()))
                .onCancellation().invoke(() -> cancelled.set(true))
                .invoke(a -> metrics.record("rest", a));
    }

    @POST
    @Path("/retrieve")
    public Uni<RetrievalAnswer> retrieve(JsonNode body) {
        RagQuery query = QueryJson.query(body);
        return Uni.createFrom().completionStage(() -> pipeline.retrieve(query));
    }

    @POST
    @Path("/query/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<QueryEvent> stream(JsonNode body) {
        RagQuery query = QueryJson.query(body);
        // Checked before the stream opens, so that bad input gets its 400 rather than a failed event stream.
        pipeline.check(query);
        return Multi.createFrom().emitter(emitter -> pipeline.stream(query, AnswerStream.of(
                passages -> emitter.emit(new QueryEvent(passages, null, null)),
                text -> emitter.emit(new QueryEvent(null, text, null)),
                answer -> {
                    metrics.record("rest", answer);
                    emitter.emit(new QueryEvent(null, null, answer));
                    emitter.complete();
                },
                emitter::fail, emitter::isCancelled)));
    }
}
