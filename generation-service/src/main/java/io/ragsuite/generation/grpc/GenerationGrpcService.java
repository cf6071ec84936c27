package io.ragsuite.generation.grpc;

import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateChunk;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.GenerateResponse;
import io.ragsuite.api.v1.GenerationService;
import io.ragsuite.api.v1.ListModelsRequest;
import io.ragsuite.api.v1.ListModelsResponse;
import io.ragsuite.api.v1.ServedModel;
import io.ragsuite.api.v1.SamplingParams;
import io.ragsuite.api.v1.StageTiming;
import io.ragsuite.api.v1.Usage;
import io.ragsuite.generation.app.EngineLoader;
import io.ragsuite.generation.app.GenerationCalls;
import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.Sampling;
import io.ragsuite.support.grpc.CallCancellation;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.BooleanSupplier;

/** gRPC adapter of {@code rag.v1.GenerationService}. */
@GrpcService
public class GenerationGrpcService implements GenerationService {
    private final GenerationCalls calls;
    private final EngineLoader loader;

    public GenerationGrpcService(GenerationCalls calls, EngineLoader loader) {
        this.calls = calls;
        this.loader = loader;
    }

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        return Uni.createFrom().item(() -> {
            ModelRegistry registry = loader.registry();
            ListModelsResponse.Builder out = ListModelsResponse.newBuilder().setDefaultModel(registry.defaultModel());
            registry.served().forEach(m -> out.addModels(served(m)));
            return out.build();
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    static ServedModel served(ModelRegistry.Served m) {
        return ServedModel.newBuilder().setName(m.name()).setParent(m.parent() == null ? "" : m.parent())
                .setBackend(m.backend()).build();
    }

    @Override
    public Uni<GenerateResponse> generate(GenerateRequest request) {
        // A cancelled call does not cancel this Uni (see CallCancellation); decoding stops at the next token.
        BooleanSupplier cancelled = CallCancellation.ofCurrentCall();
        return Uni.createFrom().deferred(() -> calls.generate(turns(request), request.getModel(), sampling(request), "grpc",
                        cancelled))
                .map(GenerationGrpcService::toResponse)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<GenerateChunk> generateStream(GenerateRequest request) {
        return Multi.createFrom().deferred(() -> calls.stream(turns(request), request.getModel(), sampling(request), "grpc"))
                .map(event -> event.done() == null
                        ? GenerateChunk.newBuilder().setTextDelta(event.delta()).build()
                        : finalChunk(event.done()))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private static List<ChatTurn> turns(GenerateRequest request) {
        return request.getMessagesList().stream().map(GenerationGrpcService::turn).toList();
    }

    private Sampling sampling(GenerateRequest request) {
        SamplingParams s = request.getSampling();
        return calls.sampling(new Sampling.Requested(s.getMaxTokens(), s.hasTemperature() ? s.getTemperature() : null,
                s.hasTopP() ? s.getTopP() : null, s.hasTopK() ? s.getTopK() : null, s.hasMinP() ? s.getMinP() : null,
                s.hasRepetitionPenalty() ? s.getRepetitionPenalty() : null, s.hasSeed() ? s.getSeed() : null,
                s.getStopList(), s.getIgnoreEos(), request.getGrammar(), request.getJsonSchema()));
    }

    private static StageTiming timing(GenerationResult r) {
        return StageTiming.newBuilder().setQueueUs(r.queueUs()).setComputeUs(r.computeUs()).setTotalUs(r.totalUs()).build();
    }

    private static Usage usage(GenerationResult r) {
        return Usage.newBuilder().setPromptTokens(r.promptTokens()).setCompletionTokens(r.completionTokens()).build();
    }

    static GenerateResponse toResponse(GenerationResult r) {
        return GenerateResponse.newBuilder().setText(r.text()).setFinishReason(r.finishReason()).setUsage(usage(r))
                .setModel(r.model()).setTiming(timing(r)).setTimeToFirstTokenUs(r.timeToFirstTokenUs())
                .setAdapter(r.adapter() == null ? "" : r.adapter()).build();
    }

    static GenerateChunk finalChunk(GenerationResult r) {
        return GenerateChunk.newBuilder().setFinishReason(r.finishReason()).setUsage(usage(r)).setModel(r.model())
                .setTiming(timing(r)).setTimeToFirstTokenUs(r.timeToFirstTokenUs())
                .setAdapter(r.adapter() == null ? "" : r.adapter()).build();
    }

    static ChatTurn turn(ChatMessage m) {
        return new ChatTurn(m.getRole(), m.getContent());
    }
}
