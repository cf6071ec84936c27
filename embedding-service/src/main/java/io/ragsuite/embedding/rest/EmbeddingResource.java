package io.ragsuite.embedding.rest;

import io.ragsuite.embedding.app.EmbeddingMetrics;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.core.EmbeddingResult;
import io.ragsuite.support.error.Require;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** REST adapter: {@code POST /v1/embed}, the same semantics as gRPC {@code EmbeddingService/Embed}. */
@Path("/v1/embed")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class EmbeddingResource {
    private final ModelLoader loader;
    private final EmbeddingMetrics metrics;

    public EmbeddingResource(ModelLoader loader, EmbeddingMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    public record EmbedBody(List<String> texts, String model, Boolean truncate) {
    }

    public record Timing(long queueUs, long tokenizeUs, long inferenceUs, long totalUs) {
    }

    public record EmbedReply(String model, int dimension, float[][] embeddings, int[] tokenCounts, boolean[] truncated,
            Timing timing) {
    }

    @POST
    public Uni<EmbedReply> embed(EmbedBody body) {
        Require.that(body != null, "request body is required: {\"texts\": [...]}");
        return Uni.createFrom()
                .completionStage(loader.engine().embed(body.texts(), body.model(), Boolean.TRUE.equals(body.truncate())))
                .invoke(result -> metrics.record("rest", result))
                .map(EmbeddingResource::toReply);
    }

    static EmbedReply toReply(EmbeddingResult r) {
        return new EmbedReply(r.model(), r.dimension(), r.vectors(), r.tokenCounts(), r.truncated(),
                new Timing(r.queueUs(), r.tokenizeUs(), r.inferenceUs(), r.totalUs()));
    }
}
