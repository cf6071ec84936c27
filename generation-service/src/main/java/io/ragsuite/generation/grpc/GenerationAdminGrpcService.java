package io.ragsuite.generation.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.GenerationAdminService;
import io.ragsuite.api.v1.LoadAdapterRequest;
import io.ragsuite.api.v1.ServedModel;
import io.ragsuite.api.v1.UnloadAdapterRequest;
import io.ragsuite.api.v1.UnloadAdapterResponse;
import io.ragsuite.generation.app.AdapterAdmin;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** gRPC adapter of {@code rag.v1.GenerationAdminService}: LoRA adapters loaded and unloaded at runtime. */
@GrpcService
public class GenerationAdminGrpcService implements GenerationAdminService {
    private final AdapterAdmin admin;

    public GenerationAdminGrpcService(AdapterAdmin admin) {
        this.admin = admin;
    }

    @Override
    public Uni<ServedModel> loadAdapter(LoadAdapterRequest request) {
        // Loading builds a llama.cpp context: off the event loop.
        return Uni.createFrom().item(() -> {
            return GenerationGrpcService.served(admin.load(request.getName(), request.getPath(), request.getBaseModel(), "grpc"));
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<UnloadAdapterResponse> unloadAdapter(UnloadAdapterRequest request) {
        return Uni.createFrom().item(() -> UnloadAdapterResponse.newBuilder()
                        .setBaseModel(admin.unload(request.getName(), "grpc")).build())
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onFailure().transform(GrpcErrors::toStatus);
    }
}
