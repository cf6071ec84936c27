package io.ragsuite.generation.app;

import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.Sampling;
import io.ragsuite.support.error.Failures;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** What both adapters do with a request: admit it, run it, record metrics; unary or streaming. */
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

    public Sampling sampling(int maxTokens, Float temperature, Float topP, Integer topK, Float minP,
            Float repetitionPenalty, Long seed, List<String> stop) {
        return Sampling.of(maxTokens, temperature, topP, topK, minP, repetitionPenalty, seed, stop,
                loader.scheduler().limits());
    }

    public Uni<GenerationResult> generate(List<ChatTurn> turns, String model, Sampling sampling, String protocol) {
        return Uni.createFrom().deferred(() -> {
            GenerationScheduler scheduler = loader.scheduler();
            GenerationScheduler.Admitted admitted = scheduler.admit(turns, model, sampling);
            return Uni.createFrom().completionStage(scheduler.submit(admitted));
        }).invoke(r -> metrics.record(protocol, r));
    }

    public Multi<StreamEvent> stream(List<ChatTurn> turns, String model, Sampling sampling, String protocol) {
        return Multi.createFrom().emitter(emitter -> {
            try {
                GenerationScheduler scheduler = loader.scheduler();
                GenerationScheduler.Admitted admitted = scheduler.admit(turns, model, sampling);
                scheduler.submit(admitted, text -> {
                    if (emitter.isCancelled()) {
                        return false;
                    }
                    emitter.emit(new StreamEvent(text, null));
                    return true;
                }).whenComplete((result, failure) -> {
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
        });
    }
}
