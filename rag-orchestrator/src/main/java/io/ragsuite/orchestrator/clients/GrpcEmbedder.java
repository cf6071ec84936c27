package io.ragsuite.orchestrator.clients;

import io.quarkus.grpc.GrpcClient;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.MutinyEmbeddingServiceGrpc;
import io.ragsuite.orchestrator.app.OrchestratorConfig;
import io.ragsuite.orchestrator.retrieve.Embedder;
import io.ragsuite.support.grpc.GrpcErrors;
import io.ragsuite.support.grpc.ProtoFloats;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@link Embedder} over gRPC {@code rag.v1.EmbeddingService}. The deadline is set per call: a deadline in
 * the client configuration would be fixed once, at injection, and expire for every later call.
 */
@ApplicationScoped
public class GrpcEmbedder implements Embedder {
    private final MutinyEmbeddingServiceGrpc.MutinyEmbeddingServiceStub embedding;
    private final long timeoutMs;
    private final StageCalls calls;
    private final boolean waitForReady;

    public GrpcEmbedder(@GrpcClient("embedding") MutinyEmbeddingServiceGrpc.MutinyEmbeddingServiceStub embedding,
            OrchestratorConfig config, StageCalls calls) {
        this.embedding = embedding;
        this.calls = calls;
        this.waitForReady = config.waitForReady();
        this.timeoutMs = config.embeddingTimeout().toMillis();
    }

    @Override
    public CompletionStage<Embeddings> embed(List<String> texts) {
        return calls.call(StageCalls.EMBEDDING, calls::embedding, () -> embedOnce(texts));
    }

    private CompletionStage<Embeddings> embedOnce(List<String> texts) {
        // Chunks and questions longer than the model's limit are truncated rather than refused: the
        // chunker keeps chunks small, and a long question is still best answered from its beginning.
        EmbedRequest request = EmbedRequest.newBuilder().addAllTexts(texts).setTruncate(true).build();
        var stub = embedding.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        if (waitForReady) {
            stub = stub.withWaitForReady();
        }
        return stub.embed(request)
                .map(r -> new Embeddings(r.getEmbeddingsList().stream().map(e -> ProtoFloats.toArray(e.getValuesList())).toList(),
                        r.getModel()))
                .onFailure().transform(t -> GrpcErrors.fromStatus(StageCalls.EMBEDDING, t))
                .subscribeAsCompletionStage();
    }
}
