package io.ragsuite.orchestrator.clients;

import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.CreateCollectionRequest;
import io.ragsuite.api.v1.DeletePointsRequest;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.GetCollectionRequest;
import io.ragsuite.api.v1.Metric;
import io.ragsuite.api.v1.Point;
import io.ragsuite.api.v1.ScrollRequest;
import io.ragsuite.api.v1.Fusion;
import io.ragsuite.api.v1.SearchMode;
import io.ragsuite.api.v1.SearchRequest;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.api.v1.UpsertRequest;
import io.ragsuite.api.v1.MutinyVectorSearchServiceGrpc;
import io.ragsuite.orchestrator.app.OrchestratorConfig;
import io.ragsuite.orchestrator.ingest.ChunkKeys;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.orchestrator.retrieve.PassageStore;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@link PassageStore} over gRPC {@code rag.v1.VectorSearchService}. Each chunk is one point with id
 * {@code <document id>#<chunk index>} and metadata {@code doc_id}, {@code chunk}, {@code title} plus the
 * document's own metadata.
 */
@ApplicationScoped
public class GrpcPassageStore implements PassageStore {
    private final MutinyVectorSearchServiceGrpc.MutinyVectorSearchServiceStub stub;
    private final long timeoutMs;
    private final String collection;
    private final int upsertBatch;
    private final StageCalls calls;

    public GrpcPassageStore(@GrpcClient("vector-search") MutinyVectorSearchServiceGrpc.MutinyVectorSearchServiceStub stub,
            OrchestratorConfig config, StageCalls calls) {
        this.stub = stub;
        this.calls = calls;
        this.timeoutMs = config.vectorSearchTimeout().toMillis();
        this.collection = config.collection();
        this.upsertBatch = config.upsertBatch();
    }

    /**
     * One operation against the stage, through its guard (retries, breaker, bulkhead: {@link StageCalls}), with
     * gRPC statuses turned into the suite's errors naming the stage. {@code call} builds a fresh Uni per attempt.
     */
    private <T> CompletionStage<T> guarded(java.util.function.Supplier<Uni<T>> call) {
        return calls.call(StageCalls.VECTOR_SEARCH, calls::vectorSearch, () -> call.get()
                .onFailure().transform(t -> GrpcErrors.fromStatus(StageCalls.VECTOR_SEARCH, t))
                .subscribeAsCompletionStage());
    }

    /** The stub with a fresh deadline for one call (see {@link GrpcEmbedder}). */
    private MutinyVectorSearchServiceGrpc.MutinyVectorSearchServiceStub vectors() {
        return stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<Void> ensureCollection(int dimension) {
        return guarded(() -> vectors().getCollection(GetCollectionRequest.newBuilder().setName(collection).build())
                .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.NOT_FOUND)
                .recoverWithUni(() -> vectors().createCollection(CreateCollectionRequest.newBuilder().setName(collection)
                        .setDimension(dimension).setMetric(Metric.COSINE).build())
                        // Another ingest created it first: fine.
                        .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.ALREADY_EXISTS)
                        .recoverWithUni(() -> vectors().getCollection(GetCollectionRequest.newBuilder().setName(collection).build())))
                .invoke(info -> {
                    if (info.getDimension() != dimension) {
                        throw new ServiceException(ErrorKind.FAILED_PRECONDITION, "collection '" + collection
                                + "' holds " + info.getDimension() + "-d vectors but the embedding model makes "
                                + dimension + "-d vectors; use another collection (rag.orchestrator.collection)");
                    }
                })
                .replaceWithVoid());
    }

    /** Retried as a whole when the stage fails: upserts by id and the stale-chunk delete are idempotent. */
    @Override
    public CompletionStage<Void> replaceDocument(String documentId, String title, Map<String, String> metadata,
            List<String> chunks, List<float[]> embeddings) {
        List<Point> points = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            Point.Builder p = Point.newBuilder().setId(documentId + "#" + i).setText(chunks.get(i))
                    .putAllMetadata(metadata).putMetadata(ChunkKeys.DOC_ID, documentId).putMetadata(ChunkKeys.CHUNK, Integer.toString(i))
                    .putMetadata(ChunkKeys.TITLE, title);
            for (float v : embeddings.get(i)) {
                p.addVector(v);
            }
            points.add(p.build());
        }
        Uni<Void> written = Uni.createFrom().voidItem();
        for (int from = 0; from < points.size(); from += upsertBatch) {
            List<Point> batch = points.subList(from, Math.min(points.size(), from + upsertBatch));
            written = written.chain(() -> vectors().upsert(UpsertRequest.newBuilder().setCollection(collection)
                    .addAllPoints(batch).build()).replaceWithVoid());
        }
        // Then remove chunks of an older, longer version of the document.
        Filter stale = Filter.newBuilder()
                .addMust(match(ChunkKeys.DOC_ID, List.of(documentId)))
                .addMustNot(match(ChunkKeys.CHUNK, IntStream.range(0, chunks.size()).mapToObj(Integer::toString).toList()))
                .build();
        Uni<Void> upserts = written;
        return guarded(() -> upserts
                .chain(() -> vectors().delete(DeletePointsRequest.newBuilder().setCollection(collection).setFilter(stale).build()))
                .replaceWithVoid());
    }

    private static Condition match(String key, List<String> values) {
        return Condition.newBuilder().setMatch(FieldMatch.newBuilder().setKey(key).addAllAnyOf(values)).build();
    }

    @Override
    public CompletionStage<List<Passage>> search(float[] vector, RagQuery query, int topK) {
        SearchRequest.Builder request = SearchRequest.newBuilder().setCollection(collection).setTopK(topK)
                .setText(query.retrieval() == RagQuery.Retrieval.DENSE ? "" : query.question())
                .setMode(switch (query.retrieval()) {
                    case DENSE -> SearchMode.SEARCH_MODE_DENSE;
                    case BM25 -> SearchMode.SEARCH_MODE_BM25;
                    case HYBRID -> SearchMode.SEARCH_MODE_HYBRID;
                });
        if (vector != null) {
            for (float v : vector) {
                request.addVector(v);
            }
        }
        if (query.retrieval() == RagQuery.Retrieval.HYBRID) {
            request.setFusion(switch (query.fusion()) {
                case RRF -> Fusion.FUSION_RRF;
                case RELATIVE_SCORE -> Fusion.FUSION_RELATIVE_SCORE;
                case DBSF -> Fusion.FUSION_DBSF;
            });
            // 0 means 1 to the stage; a weight of 0 asked for here is sent as a tiny one instead.
            request.setDenseWeight(nonZero(query.denseWeight())).setBm25Weight(nonZero(query.bm25Weight()));
        }
        if (query.filter() != null) {
            request.setFilter(query.filter());
        }
        if (query.minScore() != null) {
            request.setMinScore(query.minScore());
        }
        return guarded(() -> vectors().search(request.build())
                .map(r -> r.getResultsList().stream().map(hit -> new Passage(
                        hit.getPoint().getMetadataOrDefault(ChunkKeys.DOC_ID, hit.getPoint().getId()),
                        parseChunk(hit.getPoint().getMetadataOrDefault(ChunkKeys.CHUNK, "0")),
                        hit.getPoint().getMetadataOrDefault(ChunkKeys.TITLE, ""),
                        hit.getPoint().getText(), hit.getScore())).toList())
                // Nothing ingested yet: no passages, not an error.
                .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(List.of()));
    }

    private static float nonZero(float weight) {
        return weight == 0 ? Float.MIN_NORMAL : weight;
    }

    @Override
    public CompletionStage<DocumentPage> listDocuments(int limit, String pageToken) {
        // Every document has a chunk 0; its metadata carries the document's id, title and metadata.
        Filter firstChunks = Filter.newBuilder().addMust(match(ChunkKeys.CHUNK, List.of("0"))).build();
        return guarded(() -> vectors().scroll(ScrollRequest.newBuilder()
                        .setCollection(collection).setFilter(firstChunks).setLimit(limit)
                        .setPageToken(pageToken == null ? "" : pageToken).build())
                .map(r -> new DocumentPage(r.getPointsList().stream().map(p -> document(p, List.of())).toList(),
                        r.getNextPageToken()))
                .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(new DocumentPage(List.of(), "")));
    }

    @Override
    public CompletionStage<java.util.Optional<StoredDocument>> getDocument(String id) {
        Filter chunksOf = Filter.newBuilder().addMust(match(ChunkKeys.DOC_ID, List.of(id))).build();
        return guarded(() -> allPoints(chunksOf, "", new ArrayList<>())
                .map(points -> {
                    if (points.isEmpty()) {
                        return java.util.Optional.<StoredDocument>empty();
                    }
                    List<Point> ordered = new ArrayList<>(points);
                    ordered.sort(java.util.Comparator.comparingInt(p -> parseChunk(p.getMetadataOrDefault(ChunkKeys.CHUNK, "0"))));
                    return java.util.Optional.of(document(ordered.get(0), ordered.stream().map(Point::getText).toList()));
                })
                .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(java.util.Optional.empty()));
    }

    /** Follows scroll pages to the end (a document has at most a few thousand chunks). */
    private Uni<List<Point>> allPoints(Filter filter, String token, List<Point> into) {
        return vectors().scroll(ScrollRequest.newBuilder().setCollection(collection).setFilter(filter).setLimit(1024)
                        .setPageToken(token).build())
                .flatMap(r -> {
                    into.addAll(r.getPointsList());
                    return r.getNextPageToken().isEmpty() ? Uni.createFrom().item(into)
                            : allPoints(filter, r.getNextPageToken(), into);
                });
    }

    @Override
    public CompletionStage<Long> deleteDocument(String id) {
        Filter chunksOf = Filter.newBuilder().addMust(match(ChunkKeys.DOC_ID, List.of(id))).build();
        return guarded(() -> vectors().delete(DeletePointsRequest.newBuilder()
                        .setCollection(collection).setFilter(chunksOf).build())
                .map(r -> r.getDeleted())
                .onFailure(t -> Status.fromThrowable(t).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(0L));
    }

    private static StoredDocument document(Point p, List<String> chunks) {
        Map<String, String> metadata = new java.util.TreeMap<>(p.getMetadataMap());
        metadata.keySet().removeAll(ChunkKeys.RESERVED);
        return new StoredDocument(p.getMetadataOrDefault(ChunkKeys.DOC_ID, p.getId()),
                p.getMetadataOrDefault(ChunkKeys.TITLE, ""), metadata, chunks);
    }

    private static int parseChunk(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
