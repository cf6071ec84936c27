package io.ragsuite.generation.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.internal.v1.DescribeRequest;
import io.ragsuite.api.internal.v1.StageInfo;
import io.ragsuite.api.internal.v1.StageInfoService;
import io.ragsuite.generation.app.EngineLoader;
import io.ragsuite.generation.core.GenerationEngine;
import io.smallrye.mutiny.Uni;

/** Internal {@code rag.internal.v1.StageInfoService}: which model this stage serves. */
@GrpcService
public class StageInfoGrpcService implements StageInfoService {
    private final EngineLoader loader;

    public StageInfoGrpcService(EngineLoader loader) {
        this.loader = loader;
    }

    @Override
    public Uni<StageInfo> describe(DescribeRequest request) {
        StageInfo.Builder info = StageInfo.newBuilder().setStage("generation").setReady(loader.ready());
        if (loader.ready()) {
            var registry = loader.registry();
            GenerationEngine engine = registry.defaultScheduler().engine();
            info.setBackend(engine.backend()).setDefaultModel(engine.modelName());
            registry.served().forEach(m -> info.addModels(m.name()));
            info
                    .putDetails("slots", Integer.toString(engine.slots()))
                    .putDetails("context_per_slot", Integer.toString(engine.contextPerSlot()));
        }
        return Uni.createFrom().item(info.build());
    }
}
