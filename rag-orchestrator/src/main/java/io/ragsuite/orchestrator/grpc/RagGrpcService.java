package io.ragsuite.orchestrator.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.Citation;
import io.ragsuite.api.v1.IngestRequest;
import io.ragsuite.api.v1.IngestResponse;
import io.ragsuite.api.v1.IngestedDocument;
import io.ragsuite.api.v1.Passages;
import io.ragsuite.api.v1.QueryEvent;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.QueryResponse;
import io.ragsuite.api.v1.RagService;
import io.ragsuite.api.v1.Timings;
import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.orchestrator.pipeline.Passage;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.CancellationException;

/** gRPC adapter of {@code rag.v1.RagService}, with the same semantics as the REST endpoints. */
@GrpcService
public class RagGrpcService implements RagService {
    private final RagPipeline pipeline;
    private final DocumentIngestor ingestor;
    private final PipelineMetrics metrics;

    public RagGrpcService(RagPipeline pipeline, DocumentIngestor ingestor, PipelineMetrics metrics) {
        this.pipeline = pipeline;
        this.ingestor = ingestor;
        this.metrics = metrics;
    }

    @Override
    public Uni<QueryResponse> query(QueryRequest request) {
        return Uni.createFrom().completionStage(() -> pipeline.query(request.getQuestion(), request.getTopK()))
                .invoke(a -> metrics.record("grpc", a))
                .map(RagGrpcService::toResponse)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<QueryEvent> queryStream(QueryRequest request) {
        return Multi.createFrom().<QueryEvent>emitter(emitter -> {
            try {
                pipeline.query(request.getQuestion(), request.getTopK(),
                        passages -> emitter.emit(QueryEvent.newBuilder().setPassages(Passages.newBuilder()
                                .addAllPassages(passages.stream().map(RagGrpcService::toProto).toList())).build()),
                        delta -> {
                            // Throwing here cancels the generation call, which frees its slot at once.
                            if (emitter.isCancelled()) {
                                throw new CancellationException("client went away");
                            }
                            emitter.emit(QueryEvent.newBuilder().setAnswerDelta(delta).build());
                        })
                        .whenComplete((answer, failure) -> {
                            if (failure != null) {
                                emitter.fail(failure);
                            } else {
                                metrics.record("grpc", answer);
                                emitter.emit(QueryEvent.newBuilder().setDone(toResponse(answer)).build());
                                emitter.complete();
                            }
                        });
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    /** Blocking: chunking large documents is CPU work that must not run on the event loop. */
    @Override
    @Blocking
    public Uni<IngestResponse> ingest(IngestRequest request) {
        long start = System.nanoTime();
        List<DocumentIngestor.SourceDocument> docs = request.getDocumentsList().stream()
                .map(d -> new DocumentIngestor.SourceDocument(d.getId(), d.getTitle(), d.getText(), d.getMetadataMap()))
                .toList();
        return Uni.createFrom().completionStage(() -> ingestor.ingest(docs, "grpc"))
                .map(done -> IngestResponse.newBuilder()
                        .addAllDocuments(done.stream().map(d -> IngestedDocument.newBuilder().setId(d.id())
                                .setChunks(d.chunks()).build()).toList())
                        .setTotalMs((System.nanoTime() - start) / 1e6).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<io.ragsuite.api.v1.ListDocumentsResponse> listDocuments(io.ragsuite.api.v1.ListDocumentsRequest request) {
        return Uni.createFrom().completionStage(() -> ingestor.list(request.getLimit(), request.getPageToken()))
                .map(page -> io.ragsuite.api.v1.ListDocumentsResponse.newBuilder()
                        .addAllDocuments(page.documents().stream().map(RagGrpcService::toProto).toList())
                        .setNextPageToken(page.nextPageToken()).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<io.ragsuite.api.v1.StoredDocument> getDocument(io.ragsuite.api.v1.GetDocumentRequest request) {
        return Uni.createFrom().completionStage(() -> ingestor.get(request.getId())).map(RagGrpcService::toProto)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<io.ragsuite.api.v1.DeleteDocumentResponse> deleteDocument(io.ragsuite.api.v1.DeleteDocumentRequest request) {
        String id = request.getId();
        return Uni.createFrom().completionStage(() -> ingestor.delete(id, "grpc"))
                .map(n -> io.ragsuite.api.v1.DeleteDocumentResponse.newBuilder().setChunksDeleted(n).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    static io.ragsuite.api.v1.StoredDocument toProto(io.ragsuite.orchestrator.pipeline.PassageStore.StoredDocument d) {
        return io.ragsuite.api.v1.StoredDocument.newBuilder().setId(d.id()).setTitle(d.title()).putAllMetadata(d.metadata())
                .addAllChunks(d.chunks()).setChunkCount(d.chunks().size()).build();
    }

    static io.ragsuite.api.v1.Passage toProto(Passage p) {
        return io.ragsuite.api.v1.Passage.newBuilder().setDocumentId(p.documentId()).setChunkIndex(p.chunkIndex())
                .setScore(p.score()).setText(p.text()).setTitle(p.title()).build();
    }

    static QueryResponse toResponse(RagAnswer a) {
        QueryResponse.Builder r = QueryResponse.newBuilder().setAnswer(a.answer()).setRequestId(a.requestId()).setTraceId(a.traceId())
                .setEmbeddingModel(a.embeddingModel()).setGenerationModel(a.generationModel()).addAllGuardNotes(a.guardNotes())
                .setTimings(Timings.newBuilder().setEmbedMs(a.timings().embedMs()).setSearchMs(a.timings().searchMs())
                        .setGenerateMs(a.timings().generateMs()).setTotalMs(a.timings().totalMs()));
        for (RagAnswer.Citation c : a.citations()) {
            r.addCitations(Citation.newBuilder().setMarker(c.marker()).setDocumentId(c.documentId())
                    .setChunkIndex(c.chunkIndex()).setScore(c.score()));
        }
        a.passages().forEach(p -> r.addPassages(toProto(p)));
        return r.build();
    }
}
