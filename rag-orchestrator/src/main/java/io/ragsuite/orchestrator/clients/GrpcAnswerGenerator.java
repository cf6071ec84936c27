package io.ragsuite.orchestrator.clients;

import io.quarkus.grpc.GrpcClient;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.MutinyGenerationServiceGrpc;
import io.ragsuite.orchestrator.app.OrchestratorConfig;
import io.ragsuite.api.v1.SamplingParams;
import io.ragsuite.orchestrator.pipeline.AnswerGenerator;
import io.ragsuite.support.grpc.GrpcErrors;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link AnswerGenerator} over gRPC {@code rag.v1.GenerationService}, always through the streaming call,
 * so streaming callers get text as it comes and unary callers pay nothing extra. The deadline is set per
 * call (see {@link GrpcEmbedder}).
 */
@ApplicationScoped
public class GrpcAnswerGenerator implements AnswerGenerator {
    private final MutinyGenerationServiceGrpc.MutinyGenerationServiceStub generation;
    private final long timeoutMs;
    private final StageCalls calls;
    private final boolean waitForReady;

    public GrpcAnswerGenerator(@GrpcClient("generation") MutinyGenerationServiceGrpc.MutinyGenerationServiceStub generation,
            OrchestratorConfig config, StageCalls calls) {
        this.generation = generation;
        this.calls = calls;
        this.waitForReady = config.waitForReady();
        this.timeoutMs = config.generationTimeout().toMillis();
    }

    @Override
    public CompletionStage<Answer> generate(List<PromptMessage> messages, int maxTokens, Consumer<String> onDelta) {
        return calls.call(StageCalls.GENERATION, calls::generation, () -> generateOnce(messages, maxTokens, onDelta));
    }

    private CompletionStage<Answer> generateOnce(List<PromptMessage> messages, int maxTokens, Consumer<String> onDelta) {
        GenerateRequest.Builder request = GenerateRequest.newBuilder()
                // Low temperature: answers should stick to the passages. The repetition penalty keeps small
                // models from looping on one sentence.
                .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).setTemperature(0.2f)
                        .setRepetitionPenalty(1.15f));
        for (PromptMessage m : messages) {
            request.addMessages(ChatMessage.newBuilder().setRole(m.role()).setContent(m.content()));
        }
        StringBuilder text = new StringBuilder();
        String[] modelAndReason = {"", ""};
        var stub = generation.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        if (waitForReady) {
            stub = stub.withWaitForReady();
        }
        return stub.generateStream(request.build())
                .invoke(chunk -> {
                    if (!chunk.getTextDelta().isEmpty()) {
                        text.append(chunk.getTextDelta());
                        onDelta.accept(chunk.getTextDelta());
                    }
                    if (!chunk.getFinishReason().isEmpty()) {
                        modelAndReason[0] = chunk.getModel();
                        modelAndReason[1] = chunk.getFinishReason();
                    }
                })
                .collect().last()
                .map(last -> new Answer(text.toString(), modelAndReason[0], modelAndReason[1]))
                .onFailure().transform(t -> GrpcErrors.fromStatus(StageCalls.GENERATION, t))
                .subscribeAsCompletionStage();
    }
}
