package io.ragsuite.generation.core;

import io.ragsuite.support.concurrent.BoundedWorkQueue;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Admits requests to the engine: checks them (roles, sizes, sampling, context fit), then hands them to a
 * worker per engine slot through a bounded waiting line. When every slot is busy and the line is full, a
 * request fails at once with RESOURCE_EXHAUSTED.
 */
public final class GenerationScheduler implements AutoCloseable {
    private final GenerationEngine engine;
    private final GenerationLimits limits;
    private final BoundedWorkQueue queue;

    public GenerationScheduler(GenerationEngine engine, GenerationLimits limits) {
        this.engine = engine;
        this.limits = limits;
        this.queue = new BoundedWorkQueue("generation", engine.slots(), limits.maxQueued());
    }

    public GenerationEngine engine() {
        return engine;
    }

    public GenerationLimits limits() {
        return limits;
    }

    public int waiting() {
        return queue.waiting();
    }

    public int active() {
        return queue.running();
    }

    /** A checked request, ready to run. */
    public record Admitted(GenerationEngine.Prompt prompt, Sampling sampling, long receivedNanos) {
    }

    /**
     * Checks a request and renders its prompt. Fails with INVALID_ARGUMENT (bad input, or prompt plus
     * max_tokens over the context) or NOT_FOUND (unknown model).
     */
    public Admitted admit(List<ChatTurn> turns, String model, Sampling sampling) {
        long received = System.nanoTime();
        if (model != null && !model.isEmpty() && !model.equals(engine.modelName())) {
            throw ServiceException.notFound("unknown model '" + model + "'; served: [" + engine.modelName() + "]");
        }
        Require.size(turns, 1, limits.maxMessages(), "messages");
        for (int i = 1; i < turns.size(); i++) {
            Require.that(!turns.get(i).role().equals("system"), "messages[" + i + "]: a system message may only come first");
        }
        int chars = turns.stream().mapToInt(t -> t.content().length()).sum();
        Require.that(chars <= limits.maxPromptChars(),
                "messages hold " + chars + " characters; the limit is " + limits.maxPromptChars());
        Require.that(turns.stream().anyMatch(t -> !t.content().isBlank()), "every message is empty");
        GenerationEngine.Prompt prompt = engine.prompt(turns);
        int promptTokens = prompt.tokens();
        int budget = engine.contextPerSlot();
        // A remote engine's server counts (tokens -1) and refuses an overflow itself.
        if (promptTokens >= 0 && promptTokens + sampling.maxTokens() > budget) {
            throw ServiceException.invalid("prompt has " + promptTokens + " tokens and max_tokens is "
                    + sampling.maxTokens() + ", together over the " + budget + "-token context of model "
                    + engine.modelName() + "; shorten the messages or lower max_tokens");
        }
        return new Admitted(prompt, sampling, received);
    }

    /**
     * Runs an admitted request on a free slot, streaming text to {@code listener}. The future fails with
     * RESOURCE_EXHAUSTED when the line is full.
     */
    public CompletableFuture<GenerationResult> submit(Admitted request, TokenListener listener) {
        return queue.submit(queuedUs -> run(request, queuedUs, listener));
    }

    /** Runs an admitted request and collects the whole text. */
    public CompletableFuture<GenerationResult> submit(Admitted request) {
        return submit(request, text -> true);
    }

    private GenerationResult run(Admitted request, long queuedUs, TokenListener listener) {
        long start = System.nanoTime();
        StringBuilder text = new StringBuilder();
        long[] firstToken = {0};
        GenerationEngine.Completion completion = engine.complete(request.prompt(), request.sampling(), piece -> {
            if (firstToken[0] == 0) {
                firstToken[0] = System.nanoTime();
            }
            text.append(piece);
            return listener.onText(piece);
        });
        long end = System.nanoTime();
        long ttft = firstToken[0] == 0 ? 0 : (firstToken[0] - start) / 1_000;
        int promptTokens = completion.promptTokens() >= 0 ? completion.promptTokens() : request.prompt().tokens();
        return new GenerationResult(text.toString(), completion.finishReason(), Math.max(0, promptTokens),
                completion.tokens(), engine.modelName(), queuedUs, (end - start) / 1_000,
                (end - request.receivedNanos()) / 1_000, ttft);
    }

    @Override
    public void close() {
        queue.close();
        engine.close();
    }
}
