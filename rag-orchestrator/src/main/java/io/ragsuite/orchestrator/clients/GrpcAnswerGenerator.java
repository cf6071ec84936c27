package io.ragsuite.orchestrator.clients;

import io.quarkus.grpc.GrpcClient;
import io.grpc.Context;
import io.ragsuite.api.v1.ChatMessage;
import io.ragsuite.api.v1.GenerateChunk;
import io.ragsuite.api.v1.GenerateRequest;
import io.ragsuite.api.v1.MutinyGenerationServiceGrpc;
import io.ragsuite.orchestrator.app.OrchestratorConfig;
import io.ragsuite.api.v1.SamplingParams;
import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Multi;
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
    public CompletionStage<Answer> generate(List<PromptMessage> messages, Options options, Consumer<String> onDelta) {
        return calls.call(StageCalls.GENERATION, calls::generation, () -> generateOnce(messages, options, onDelta));
    }

    private CompletionStage<Answer> generateOnce(List<PromptMessage> messages, Options options, Consumer<String> onDelta) {
        // The repetition penalty keeps small models from looping on one sentence.
        SamplingParams.Builder sampling = SamplingParams.newBuilder().setMaxTokens(options.maxTokens())
                .setTemperature(options.temperature()).setRepetitionPenalty(1.15f);
        if (options.seed() != null) {
            sampling.setSeed(options.seed());
        }
        GenerateRequest.Builder request = GenerateRequest.newBuilder().setModel(options.model()).setSampling(sampling);
        for (PromptMessage m : messages) {
            request.addMessages(ChatMessage.newBuilder().setRole(m.role()).setContent(m.content()));
        }
        var stub = generation.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        if (waitForReady) {
            stub = stub.withWaitForReady();
        }
        // Quarkus's Mutiny client does not cancel the gRPC call when its Multi is cancelled, so a caller that went
        // away (onDelta throws) would leave the stage generating into the void, its slot taken. The call runs in a
        // cancellable gRPC context instead (the stub takes the current one when the subscription below starts
        // it), cancelled when the stream ends in any way; after a normal end that changes nothing. Forked, so that it
        // neither inherits a cancellation from whatever context is current nor passes its own on.
        Context.CancellableContext call = Context.current().fork().withCancellation();
        Context previous = call.attach();
        try {
            return subscribe(stub.generateStream(request.build()).onTermination().invoke(() -> call.cancel(null)),
                    options, onDelta);
        } finally {
            call.detach(previous);
        }
    }

    private CompletionStage<Answer> subscribe(Multi<GenerateChunk> chunks, Options options, Consumer<String> onDelta) {
        StringBuilder text = new StringBuilder();
        String[] modelAndReason = {"", ""};
        Usage[] usage = {Usage.NONE};
        return chunks
                .invoke(chunk -> {
                    if (!chunk.getTextDelta().isEmpty()) {
                        text.append(chunk.getTextDelta());
                        onDelta.accept(chunk.getTextDelta());
                    }
                    if (!chunk.getFinishReason().isEmpty()) {
                        modelAndReason[0] = chunk.getModel();
                        modelAndReason[1] = chunk.getFinishReason();
                        usage[0] = new Usage(chunk.getUsage().getPromptTokens(), chunk.getUsage().getCompletionTokens());
                    }
                })
                .collect().last()
                .map(last -> new Answer(text.toString(), modelAndReason[0], modelAndReason[1], usage[0]))
                // A caller that went away (onDelta threw) stays a cancellation, not a failure of the stage.
                .onFailure(t -> !(t instanceof java.util.concurrent.CancellationException))
                .transform(t -> modelRefused(options.model(), GrpcErrors.fromStatus(StageCalls.GENERATION, t)))
                .subscribeAsCompletionStage();
    }

    /** The stage knows no such model: the caller's mistake (400 naming the field), not a failing stage. */
    private static ServiceException modelRefused(String model, ServiceException e) {
        if (e.kind() == ErrorKind.NOT_FOUND && !model.isEmpty()) {
            return ServiceException.invalid("model: '" + model + "' is not served by the generation stage ("
                    + e.getMessage() + ")");
        }
        return e;
    }
}
