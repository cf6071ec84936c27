package io.ragsuite.generation.app;

import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.generation.core.Sampling;
import io.ragsuite.support.error.Failures;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * What every adapter (gRPC, REST, OpenAI) does with a request: resolve its model name (a base model or a
 * LoRA adapter), admit it, run it, record metrics; unary or streaming.
 */
@ApplicationScoped
public class GenerationCalls {
    private final EngineLoader loader;
    private final GenerationMetrics metrics;

    public GenerationCalls(EngineLoader loader, GenerationMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    /** A streamed event: a piece of text, or the final result (text holds the whole answer then). */
    public record StreamEvent(String delta, GenerationResult done) {
    }

    public Sampling sampling(Sampling.Requested requested) {
        return Sampling.of(requested, loader.registry().defaultScheduler().limits());
    }

    /** The name a response reports before the result is known: the one asked for, or the default model. */
    public String servedName(String model) {
        return model != null && !model.isBlank() ? model : loader.ready() ? loader.registry().defaultModel() : "";
    }

    private GenerationScheduler.Admitted admit(ModelRegistry.Target target, List<ChatTurn> turns, Sampling sampling) {
        return target.scheduler().admit(turns, target.adapter(), sampling);
    }

    public Uni<GenerationResult> generate(List<ChatTurn> turns, String model, Sampling sampling, String protocol) {
        return generate(turns, model, sampling, protocol, () -> false);
    }

    /**
     * A unary call whose caller may go away without cancelling the Uni (a cancelled gRPC call does not): once
     * {@code callerGone} is true it does not start if it still waits, and stops at the next token if it runs.
     * Cancelling the Uni does the same.
     */
    public Uni<GenerationResult> generate(List<ChatTurn> turns, String model, Sampling sampling, String protocol,
            BooleanSupplier callerGone) {
        return Uni.createFrom().deferred(() -> {
            ModelRegistry.Target target = loader.registry().resolve(model);
            GenerationScheduler.Admitted admitted = admit(target, turns, sampling);
            return Uni.createFrom().completionStage(target.scheduler().submit(admitted, text -> true, callerGone));
        })
                // Admission renders and tokenizes the prompt through JNI: keep it off the event loop.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(r -> metrics.record(protocol, r));
    }

    public Multi<StreamEvent> stream(List<ChatTurn> turns, String model, Sampling sampling, String protocol) {
        return Multi.createFrom().<StreamEvent>emitter(emitter -> {
            try {
                ModelRegistry.Target target = loader.registry().resolve(model);
                GenerationScheduler.Admitted admitted = admit(target, turns, sampling);
                CompletableFuture<GenerationResult> running = target.scheduler().submit(admitted, text -> {
                    if (emitter.isCancelled()) {
                        return false;
                    }
                    emitter.emit(new StreamEvent(text, null));
                    return true;
                });
                // A client that leaves while its request still waits never takes a slot.
                emitter.onTermination(() -> running.cancel(false));
                running.whenComplete((result, failure) -> {
                    if (failure != null) {
                        emitter.fail(Failures.unwrap(failure));
                        return;
                    }
                    metrics.record(protocol, result);
                    emitter.emit(new StreamEvent("", result));
                    emitter.complete();
                });
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
