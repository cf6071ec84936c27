package io.ragsuite.vectorsearch.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.internal.v1.DescribeRequest;
import io.ragsuite.api.internal.v1.StageInfo;
import io.ragsuite.api.internal.v1.StageInfoService;
import io.ragsuite.vectorsearch.app.StoreHolder;
import io.smallrye.mutiny.Uni;

/** Internal {@code rag.internal.v1.StageInfoService}: what this stage runs on. */
@GrpcService
public class StageInfoGrpcService implements StageInfoService {
    private final StoreHolder holder;

    public StageInfoGrpcService(StoreHolder holder) {
        this.holder = holder;
    }

    @Override
    public Uni<StageInfo> describe(DescribeRequest request) {
        StageInfo.Builder info = StageInfo.newBuilder().setStage("vector-search").setBackend(holder.ready() ? holder.store().backend() + "-hnsw" : "")
                .setReady(holder.ready());
        if (holder.ready()) {
            info.putDetails("location", holder.store().location())
                    .putDetails("collections", Integer.toString(holder.store().list().size()));
        }
        return Uni.createFrom().item(info.build());
    }
}
