package io.ragsuite.embedding.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.internal.v1.DescribeRequest;
import io.ragsuite.api.internal.v1.StageInfo;
import io.ragsuite.api.internal.v1.StageInfoService;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.core.EmbeddingEngine;
import io.ragsuite.embedding.core.EmbeddingModel;
import io.smallrye.mutiny.Uni;

/** Internal {@code rag.internal.v1.StageInfoService}: which models this stage serves. */
@GrpcService
public class StageInfoGrpcService implements StageInfoService {
    private final ModelLoader loader;

    public StageInfoGrpcService(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public Uni<StageInfo> describe(DescribeRequest request) {
        StageInfo.Builder info = StageInfo.newBuilder().setStage("embedding").setReady(loader.ready());
        if (loader.ready()) {
            EmbeddingEngine engine = loader.engine();
            EmbeddingModel model = engine.model(null);
            info.setBackend(model.backend()).setDefaultModel(engine.defaultModel())
                    .addAllModels(engine.models().keySet())
                    .putDetails("dimension", Integer.toString(model.dimension()))
                    .putDetails("max_tokens", Integer.toString(model.spec().maxTokens()));
        }
        return Uni.createFrom().item(info.build());
    }
}
