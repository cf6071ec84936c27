package io.ragsuite.vectorsearch.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.CollectionInfo;
import io.ragsuite.api.v1.CreateCollectionRequest;
import io.ragsuite.api.v1.DeleteCollectionRequest;
import io.ragsuite.api.v1.DeleteCollectionResponse;
import io.ragsuite.api.v1.CountRequest;
import io.ragsuite.api.v1.CountResponse;
import io.ragsuite.api.v1.DeletePointsRequest;
import io.ragsuite.api.v1.ScrollRequest;
import io.ragsuite.api.v1.ScrollResponse;
import io.ragsuite.api.v1.DeletePointsResponse;
import io.ragsuite.api.v1.GetCollectionRequest;
import io.ragsuite.api.v1.GetPointsRequest;
import io.ragsuite.api.v1.GetPointsResponse;
import io.ragsuite.api.v1.ListCollectionsRequest;
import io.ragsuite.api.v1.ListCollectionsResponse;
import io.ragsuite.api.v1.ScoredPoint;
import io.ragsuite.api.v1.SearchRequest;
import io.ragsuite.api.v1.SearchResponse;
import io.ragsuite.api.v1.StageTiming;
import io.ragsuite.api.v1.UpsertRequest;
import io.ragsuite.api.v1.UpsertResponse;
import io.ragsuite.api.v1.VectorSearchService;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.grpc.GrpcErrors;
import io.ragsuite.support.grpc.ProtoFloats;
import io.ragsuite.vectorsearch.app.StoreHolder;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.VectorStore;
import io.ragsuite.vectorsearch.core.ScrollPage;
import io.ragsuite.vectorsearch.core.VectorCollection;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/** gRPC adapter of {@code rag.v1.VectorSearchService}. Index work blocks, so it runs on worker threads. */
@GrpcService
@Blocking
public class VectorSearchGrpcService implements VectorSearchService {
    private final StoreHolder holder;

    public VectorSearchGrpcService(StoreHolder holder) {
        this.holder = holder;
    }

    private static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<CollectionInfo> createCollection(CreateCollectionRequest r) {
        return call(() -> {
            VectorStore store = holder.store();
            CollectionSpec spec = CollectionSpec.of(r.getName(), r.getDimension(), ProtoMapping.metric(r.getMetric()),
                    r.getHnsw().getM(), r.getHnsw().getEfConstruction(), r.getHnsw().getEfSearch(),
                    ProtoMapping.quantization(r.getQuantization()), store.limits().maxDimension());
            return ProtoMapping.info(store.create(spec));
        });
    }

    @Override
    public Uni<CollectionInfo> getCollection(GetCollectionRequest r) {
        return call(() -> ProtoMapping.info(holder.store().get(r.getName())));
    }

    @Override
    public Uni<ListCollectionsResponse> listCollections(ListCollectionsRequest r) {
        return call(() -> ListCollectionsResponse.newBuilder()
                .addAllCollections(holder.store().list().stream().map(ProtoMapping::info).toList()).build());
    }

    @Override
    public Uni<DeleteCollectionResponse> deleteCollection(DeleteCollectionRequest r) {
        return call(() -> {
            holder.store().delete(r.getName());
            return DeleteCollectionResponse.getDefaultInstance();
        });
    }

    @Override
    public Uni<UpsertResponse> upsert(UpsertRequest r) {
        return call(() -> {
            long start = System.nanoTime();
            VectorCollection c = holder.store().get(r.getCollection());
            int n = c.upsert(r.getPointsList().stream().map(ProtoMapping::point).toList());
            long us = (System.nanoTime() - start) / 1_000;
            return UpsertResponse.newBuilder().setUpserted(n)
                    .setTiming(StageTiming.newBuilder().setComputeUs(us).setTotalUs(us)).build();
        });
    }

    @Override
    public Uni<GetPointsResponse> get(GetPointsRequest r) {
        return call(() -> GetPointsResponse.newBuilder().addAllPoints(holder.store().get(r.getCollection())
                .get(r.getIdsList(), r.getWithVectors()).stream().map(ProtoMapping::point).toList()).build());
    }

    @Override
    public Uni<CountResponse> count(CountRequest r) {
        return call(() -> CountResponse.newBuilder().setCount(holder.store().get(r.getCollection())
                .count(r.hasFilter() ? ProtoMapping.filter(r.getFilter()) : null)).build());
    }

    @Override
    public Uni<ScrollResponse> scroll(ScrollRequest r) {
        return call(() -> {
            ScrollPage page = holder.store().get(r.getCollection()).scroll(
                    r.hasFilter() ? ProtoMapping.filter(r.getFilter()) : null, r.getLimit(), r.getPageToken(),
                    r.getWithVectors());
            ScrollResponse.Builder out = ScrollResponse.newBuilder()
                    .addAllPoints(page.points().stream().map(ProtoMapping::point).toList());
            if (page.nextAfterId() != null) {
                out.setNextPageToken(page.nextAfterId());
            }
            return out.build();
        });
    }

    @Override
    public Uni<io.ragsuite.api.v1.SnapshotInfo> createSnapshot(io.ragsuite.api.v1.CreateSnapshotRequest r) {
        return call(() -> ProtoMapping.snapshot(holder.store().snapshot(r.getCollection())));
    }

    @Override
    public Uni<io.ragsuite.api.v1.ListSnapshotsResponse> listSnapshots(io.ragsuite.api.v1.ListSnapshotsRequest r) {
        return call(() -> io.ragsuite.api.v1.ListSnapshotsResponse.newBuilder().addAllSnapshots(
                holder.store().snapshots(r.getCollection()).stream().map(ProtoMapping::snapshot).toList()).build());
    }

    @Override
    public Uni<CollectionInfo> restoreSnapshot(io.ragsuite.api.v1.RestoreSnapshotRequest r) {
        return call(() -> ProtoMapping.info(holder.store().restore(r.getCollection(), r.getSnapshot(),
                r.getNewCollection())));
    }

    @Override
    public Uni<io.ragsuite.api.v1.OptimizeResponse> optimize(io.ragsuite.api.v1.OptimizeRequest r) {
        return call(() -> {
            VectorCollection.Optimized done = holder.store().get(r.getCollection()).optimize();
            return io.ragsuite.api.v1.OptimizeResponse.newBuilder().setSegmentsBefore(done.segmentsBefore())
                    .setSegmentsAfter(done.segmentsAfter()).setMillis(done.millis()).build();
        });
    }

    @Override
    public Uni<io.ragsuite.api.v1.DeleteSnapshotResponse> deleteSnapshot(io.ragsuite.api.v1.DeleteSnapshotRequest r) {
        return call(() -> {
            holder.store().deleteSnapshot(r.getCollection(), r.getSnapshot());
            return io.ragsuite.api.v1.DeleteSnapshotResponse.getDefaultInstance();
        });
    }

    @Override
    public Uni<DeletePointsResponse> delete(DeletePointsRequest r) {
        return call(() -> {
            VectorCollection c = holder.store().get(r.getCollection());
            Require.that(r.getIdsCount() > 0 ^ r.hasFilter(), "set exactly one of 'ids' and 'filter'");
            long n = r.hasFilter() ? c.deleteMatching(ProtoMapping.filter(r.getFilter())) : c.deleteIds(r.getIdsList());
            return DeletePointsResponse.newBuilder().setDeleted(n).build();
        });
    }

    @Override
    public Uni<SearchResponse> search(SearchRequest r) {
        return call(() -> {
            long start = System.nanoTime();
            VectorCollection c = holder.store().get(r.getCollection());
            var hits = c.search(ProtoMapping.query(r));
            long us = (System.nanoTime() - start) / 1_000;
            SearchResponse.Builder out = SearchResponse.newBuilder()
                    .setTiming(StageTiming.newBuilder().setComputeUs(us).setTotalUs(us));
            for (var hit : hits) {
                out.addResults(ScoredPoint.newBuilder().setPoint(ProtoMapping.point(hit.point())).setScore(hit.score()));
            }
            return out.build();
        });
    }
}
