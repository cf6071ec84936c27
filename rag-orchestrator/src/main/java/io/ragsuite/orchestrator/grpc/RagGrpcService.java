package io.ragsuite.orchestrator.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.Citation;
import io.ragsuite.api.v1.Document;
import io.ragsuite.api.v1.DocumentResult;
import io.ragsuite.api.v1.Fusion;
import io.ragsuite.api.v1.IngestRequest;
import io.ragsuite.api.v1.IngestResponse;
import io.ragsuite.api.v1.IngestedDocument;
import io.ragsuite.api.v1.Passages;
import io.ragsuite.api.v1.QueryEvent;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.QueryResponse;
import io.ragsuite.api.v1.RagService;
import io.ragsuite.api.v1.RetrieveResponse;
import io.ragsuite.api.v1.Usage;
import io.ragsuite.api.v1.Timings;
import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.orchestrator.pipeline.AnswerStream;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.orchestrator.pipeline.RetrievalAnswer;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.grpc.CallCancellation;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;

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
        // A cancelled call (the client's deadline, or the client gone) stops the generation at the next token; it
        // does not cancel this Uni (see CallCancellation).
        java.util.function.BooleanSupplier cancelled = CallCancellation.ofCurrentCall();
        return Uni.createFrom().completionStage(() -> pipeline.query(toQuery(request), cancelled))
                .invoke(a -> metrics.record("grpc", a))
                .map(RagGrpcService::toResponse)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<QueryEvent> queryStream(QueryRequest request) {
        return Multi.createFrom().<QueryEvent>emitter(emitter -> pipeline.stream(toQuery(request), AnswerStream.of(
                passages -> emitter.emit(QueryEvent.newBuilder().setPassages(Passages.newBuilder()
                        .addAllPassages(passages.stream().map(RagGrpcService::toProto).toList())).build()),
                text -> emitter.emit(QueryEvent.newBuilder().setAnswerDelta(text).build()),
                answer -> {
                    metrics.record("grpc", answer);
                    emitter.emit(QueryEvent.newBuilder().setDone(toResponse(answer)).build());
                    emitter.complete();
                },
                emitter::fail, emitter::isCancelled))).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<RetrieveResponse> retrieve(QueryRequest request) {
        return Uni.createFrom().completionStage(() -> pipeline.retrieve(toQuery(request)))
                .map(RagGrpcService::toResponse)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    /**
     * Documents streamed in, each answered by its own result (its chunks, or the code and message it would have
     * failed with on its own), so that one bad document among thousands does not fail the others; the stream's
     * own status stays OK unless the stream itself breaks. Documents are taken in groups of up to
     * {@link #STREAM_GROUP} (or what arrived within 50 ms), whose chunks share embedding calls; a group at a time
     * keeps memory bounded whatever the client sends, and gRPC flow control slows a client that sends faster.
     */
    @Override
    public Multi<DocumentResult> ingestStream(Multi<Document> documents) {
        int[] offset = {0};
        return documents.group().intoLists().of(STREAM_GROUP, java.time.Duration.ofMillis(50))
                .onItem().transformToUniAndConcatenate(group -> {
                    int first = offset[0];
                    offset[0] += group.size();
                    List<DocumentIngestor.SourceDocument> sources = group.stream().map(d -> new DocumentIngestor.SourceDocument(
                            d.getId(), d.getTitle(), d.getText(), d.getMetadataMap())).toList();
                    return Uni.createFrom().completionStage(() -> ingestor.ingestEach(sources, "grpc"))
                            .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                            .map(outcomes -> outcomes.stream().map(o -> toProto(o, first)).toList());
                })
                .onItem().disjoint();
    }

    /** Documents per group of {@link #ingestStream}. */
    static final int STREAM_GROUP = 32;

    static DocumentResult toProto(DocumentIngestor.Outcome o, int offset) {
        DocumentResult.Builder r = DocumentResult.newBuilder().setIndex(offset + o.index()).setId(o.id());
        if (o.error() == null) {
            return r.setChunks(o.ingested().chunks()).build();
        }
        io.grpc.Status status = GrpcErrors.toStatus(o.error()).getStatus();
        return r.setCode(status.getCode().name()).setError(String.valueOf(status.getDescription())).build();
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

    static io.ragsuite.api.v1.StoredDocument toProto(io.ragsuite.orchestrator.retrieve.PassageStore.StoredDocument d) {
        return io.ragsuite.api.v1.StoredDocument.newBuilder().setId(d.id()).setTitle(d.title()).putAllMetadata(d.metadata())
                .addAllChunks(d.chunks()).setChunkCount(d.chunks().size()).build();
    }

    static io.ragsuite.api.v1.Passage toProto(Passage p) {
        return io.ragsuite.api.v1.Passage.newBuilder().setDocumentId(p.documentId()).setChunkIndex(p.chunkIndex())
                .setScore(p.score()).setText(p.text()).setTitle(p.title()).build();
    }

    /** The request as a pipeline query; proto3 defaults (0, UNSPECIFIED, "") mean "the server's default". */
    static RagQuery toQuery(QueryRequest r) {
        return new RagQuery(r.getQuestion(), r.getTopK(), r.hasFilter() ? r.getFilter() : null,
                switch (r.getRetrieval()) {
                    case RETRIEVAL_MODE_UNSPECIFIED -> null;
                    case RETRIEVAL_MODE_DENSE -> RagQuery.Retrieval.DENSE;
                    case RETRIEVAL_MODE_BM25 -> RagQuery.Retrieval.BM25;
                    case RETRIEVAL_MODE_HYBRID -> RagQuery.Retrieval.HYBRID;
                    case UNRECOGNIZED -> throw ServiceException.invalid("retrieval: unknown value " + r.getRetrievalValue());
                },
                fusion(r.getFusion(), r.getFusionValue()),
                r.getDenseWeight() == 0 ? null : r.getDenseWeight(), r.getBm25Weight() == 0 ? null : r.getBm25Weight(),
                r.hasMinScore() ? r.getMinScore() : null,
                switch (r.getRerank()) {
                    case RERANK_UNSPECIFIED -> null;
                    case RERANK_NONE -> RagQuery.RerankMode.NONE;
                    case RERANK_MMR -> RagQuery.RerankMode.MMR;
                    case UNRECOGNIZED -> throw ServiceException.invalid("rerank: unknown value " + r.getRerankValue());
                },
                nonNegative(r.getMaxTokens(), "max_tokens"), r.hasTemperature() ? r.getTemperature() : null,
                r.hasSeed() ? r.getSeed() : null, r.getModel());
    }

    private static RagQuery.Fusion fusion(Fusion f, int value) {
        return switch (f) {
            case FUSION_UNSPECIFIED -> null;
            case FUSION_RRF -> RagQuery.Fusion.RRF;
            case FUSION_RELATIVE_SCORE -> RagQuery.Fusion.RELATIVE_SCORE;
            case FUSION_DBSF -> RagQuery.Fusion.DBSF;
            case UNRECOGNIZED -> throw ServiceException.invalid("fusion: unknown value " + value);
        };
    }

    private static int nonNegative(int value, String field) {
        if (value < 0) {
            throw ServiceException.invalid(field + " must be >= 1 (or 0 for the default), not " + value);
        }
        return value;
    }

    static Timings toProto(RagAnswer.Timings t) {
        return Timings.newBuilder().setEmbedMs(t.embedMs()).setSearchMs(t.searchMs()).setRerankMs(t.rerankMs())
                .setGuardMs(t.guardMs()).setGenerateMs(t.generateMs()).setTotalMs(t.totalMs()).build();
    }

    static RetrieveResponse toResponse(RetrievalAnswer a) {
        RetrieveResponse.Builder r = RetrieveResponse.newBuilder().setRequestId(a.requestId())
                .setEmbeddingModel(a.embeddingModel()).addAllGuardNotes(a.guardNotes()).setTimings(toProto(a.timings()));
        a.passages().forEach(p -> r.addPassages(toProto(p)));
        return r.build();
    }

    static QueryResponse toResponse(RagAnswer a) {
        QueryResponse.Builder r = QueryResponse.newBuilder().setAnswer(a.answer()).setRequestId(a.requestId()).setTraceId(a.traceId())
                .setEmbeddingModel(a.embeddingModel()).setGenerationModel(a.generationModel()).addAllGuardNotes(a.guardNotes())
                .setTimings(toProto(a.timings())).setCitesNothing(a.citesNothing()).setFinishReason(a.finishReason())
                .setUsage(Usage.newBuilder().setPromptTokens(a.usage().promptTokens())
                        .setCompletionTokens(a.usage().completionTokens()));
        for (RagAnswer.Citation c : a.citations()) {
            r.addCitations(Citation.newBuilder().setMarker(c.marker()).setDocumentId(c.documentId())
                    .setChunkIndex(c.chunkIndex()).setScore(c.score()));
        }
        a.passages().forEach(p -> r.addPassages(toProto(p)));
        a.context().forEach(p -> r.addContext(toProto(p)));
        return r.build();
    }
}
