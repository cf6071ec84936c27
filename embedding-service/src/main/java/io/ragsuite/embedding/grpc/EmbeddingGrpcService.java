package io.ragsuite.embedding.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbedResponse;
import io.ragsuite.api.v1.Embedding;
import io.ragsuite.api.v1.EmbeddingService;
import io.ragsuite.api.v1.StageTiming;
import io.ragsuite.embedding.app.EmbeddingMetrics;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.core.EmbeddingResult;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of {@code rag.v1.EmbeddingService}. */
@GrpcService
public class EmbeddingGrpcService implements EmbeddingService {
    private final ModelLoader loader;
    private final EmbeddingMetrics metrics;

    public EmbeddingGrpcService(ModelLoader loader, EmbeddingMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    @Override
    public Uni<EmbedResponse> embed(EmbedRequest request) {
        return Uni.createFrom()
                .deferred(() -> Uni.createFrom().completionStage(
                        loader.engine().embed(request.getTextsList(), request.getModel(), request.getTruncate())))
                .invoke(result -> metrics.record("grpc", result))
                .map(EmbeddingGrpcService::toProto)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    static EmbedResponse toProto(EmbeddingResult result) {
        EmbedResponse.Builder response = EmbedResponse.newBuilder()
                .setModel(result.model())
                .setDimension(result.dimension())
                .setTiming(StageTiming.newBuilder().setQueueUs(result.queueUs()).setTokenizeUs(result.tokenizeUs())
                        .setComputeUs(result.inferenceUs()).setTotalUs(result.totalUs()));
        for (int i = 0; i < result.vectors().length; i++) {
            Embedding.Builder embedding = Embedding.newBuilder()
                    .setTokenCount(result.tokenCounts()[i])
                    .setTruncated(result.truncated()[i]);
            for (float v : result.vectors()[i]) {
                embedding.addValues(v);
            }
            response.addEmbeddings(embedding);
        }
        return response.build();
    }
}
