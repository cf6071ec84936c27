package io.ragsuite.generation.core;

import io.ragsuite.support.concurrent.BoundedWorkQueue;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits requests to one model's engine: checks them (roles, sizes, sampling, context fit), then hands them to
 * a worker per engine slot through a bounded waiting line. When every slot is busy and the line is full, a
 * request fails at once with RESOURCE_EXHAUSTED.
 *
 * <p>LoRA adapters can be added and removed while requests run. llama.cpp attaches adapters when it loads a
 * model, so a change builds a second engine over the same (memory-mapped) base weights with the new adapter
 * list and switches new requests to it; requests already running finish on the old engine, which is closed
 * when its last one ends.
 */
public final class GenerationScheduler implements AutoCloseable {
    /** Builds this model's engine with a given adapter list. */
    @FunctionalInterface
    public interface EngineFactory {
        GenerationEngine create(List<LoraAdapter> adapters) throws Exception;
    }

    /** Sees every gap between two generated pieces, for inter-token latency metrics. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (model, adapter, micros) -> {
        };

        void interToken(String model, String adapter, long micros);
    }

    private final EngineFactory factory;
    private final GenerationLimits limits;
    private final BoundedWorkQueue queue;
    private final Observer observer;
    private final int maxAdapters;
    private final Object adapterChanges = new Object();
    private final AdapterGate gate = new AdapterGate();
    private volatile Lease current;

    public GenerationScheduler(GenerationEngine engine, GenerationLimits limits) {
        this(adapters -> {
            throw new ServiceException(ErrorKind.FAILED_PRECONDITION, "this model's adapters cannot be changed");
        }, engine, limits, Observer.NONE, 0);
    }

    /**
     * @param engine      the engine built by {@code factory} with the initial adapters
     * @param maxAdapters most adapters this model may hold
     */
    public GenerationScheduler(EngineFactory factory, GenerationEngine engine, GenerationLimits limits,
            Observer observer, int maxAdapters) {
        this.factory = factory;
        this.limits = limits;
        this.observer = observer;
        this.maxAdapters = maxAdapters;
        this.current = new Lease(engine);
        this.queue = new BoundedWorkQueue("generation " + engine.modelName(), engine.slots(), limits.maxQueued());
    }

    /** The engine new requests go to. */
    public GenerationEngine engine() {
        return current.engine;
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
    public record Admitted(GenerationEngine.Prompt prompt, Sampling sampling, String adapter, long receivedNanos) {
    }

    /**
     * Checks a request and renders its prompt. Fails with INVALID_ARGUMENT (bad input, or prompt plus
     * max_tokens over the context) or NOT_FOUND (unknown adapter).
     *
     * @param adapter one of the engine's adapters, or null for the base model
     */
    public Admitted admit(List<ChatTurn> turns, String adapter, Sampling sampling) {
        long received = System.nanoTime();
        Require.size(turns, 1, limits.maxMessages(), "messages");
        for (int i = 1; i < turns.size(); i++) {
            Require.that(!turns.get(i).role().equals("system"), "messages[" + i + "]: a system message may only come first");
        }
        int chars = turns.stream().mapToInt(t -> t.content().length()).sum();
        Require.that(chars <= limits.maxPromptChars(),
                "messages hold " + chars + " characters; the limit is " + limits.maxPromptChars());
        Require.that(turns.stream().anyMatch(t -> !t.content().isBlank()), "every message is empty");
        Lease lease = acquire();
        try {
            GenerationEngine engine = lease.engine;
            if (adapter != null && engine.adapters().stream().noneMatch(a -> a.name().equals(adapter))) {
                throw ServiceException.notFound("model " + engine.modelName() + " has no adapter '" + adapter + "'");
            }
            GenerationEngine.Prompt prompt = engine.prompt(turns);
            int promptTokens = prompt.tokens();
            int budget = engine.contextPerSlot();
            // A remote engine's server counts (tokens -1) and refuses an overflow itself.
            if (promptTokens >= 0 && promptTokens + sampling.maxTokens() > budget) {
                throw ServiceException.invalid("prompt has " + promptTokens + " tokens and max_tokens is "
                        + sampling.maxTokens() + ", together over the " + budget + "-token context of model "
                        + engine.modelName() + "; shorten the messages or lower max_tokens");
            }
            return new Admitted(prompt, sampling, adapter, received);
        } finally {
            lease.release();
        }
    }

    /**
     * Runs an admitted request on a free slot, streaming text to {@code listener}. The future fails with
     * RESOURCE_EXHAUSTED when the line is full.
     */
    public CompletableFuture<GenerationResult> submit(Admitted request, TokenListener listener) {
        return submit(request, listener, () -> false);
    }

    /**
     * As {@link #submit(Admitted, TokenListener)}, for a caller that can tell it went away without cancelling the
     * future (a unary gRPC call): once {@code callerGone} is true the request does not start if it still waits,
     * and stops at the next token if it runs.
     */
    public CompletableFuture<GenerationResult> submit(Admitted request, TokenListener listener,
            java.util.function.BooleanSupplier callerGone) {
        var future = new java.util.concurrent.atomic.AtomicReference<CompletableFuture<GenerationResult>>();
        future.set(queue.submit(queuedUs -> run(request, queuedUs, listener,
                () -> future.get() != null && future.get().isCancelled() || callerGone.getAsBoolean())));
        return future.get();
    }

    /** Runs an admitted request and collects the whole text. */
    public CompletableFuture<GenerationResult> submit(Admitted request) {
        return submit(request, text -> true);
    }

    private GenerationResult run(Admitted request, long queuedUs, TokenListener listener,
            java.util.function.BooleanSupplier cancelled) {
        Lease lease = acquire();
        boolean gated = false;
        try {
            GenerationEngine engine = lease.engine;
            if (!engine.batchesAcrossAdapters() && !engine.adapters().isEmpty()) {
                long waitStart = System.nanoTime();
                try {
                    gated = gate.enter(request.adapter(), cancelled);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ServiceException.unavailable("interrupted while waiting for the engine", e);
                }
                if (!gated) {
                    return notRun(engine, request, queuedUs);
                }
                queuedUs += (System.nanoTime() - waitStart) / 1_000;
            }
            if (cancelled.getAsBoolean()) {
                // Its caller left while it waited: no prefill for nobody.
                return notRun(engine, request, queuedUs);
            }
            String model = engine.modelName();
            long start = System.nanoTime();
            StringBuilder text = new StringBuilder();
            long[] firstAndLast = {0, 0};
            GenerationEngine.Completion completion = engine.complete(request.prompt(), request.sampling(),
                    request.adapter(), piece -> {
                        long now = System.nanoTime();
                        if (firstAndLast[0] == 0) {
                            firstAndLast[0] = now;
                        } else {
                            observer.interToken(model, request.adapter(), (now - firstAndLast[1]) / 1_000);
                        }
                        firstAndLast[1] = now;
                        text.append(piece);
                        // A cancelled future (its caller went away: a closed connection, a cancelled gRPC call)
                        // stops decoding at this piece, whatever the listener says, so unary calls free their
                        // slot as streams do.
                        return listener.onText(piece) && !cancelled.getAsBoolean();
                    });
            long end = System.nanoTime();
            long ttft = firstAndLast[0] == 0 ? 0 : (firstAndLast[0] - start) / 1_000;
            long decode = firstAndLast[0] == 0 ? 0 : (firstAndLast[1] - firstAndLast[0]) / 1_000;
            int promptTokens = completion.promptTokens() >= 0 ? completion.promptTokens() : request.prompt().tokens();
            return new GenerationResult(text.toString(), completion.finishReason(), Math.max(0, promptTokens),
                    completion.tokens(), model, request.adapter(), queuedUs, (end - start) / 1_000,
                    (end - request.receivedNanos()) / 1_000, ttft, decode);
        } finally {
            if (gated) {
                gate.exit();
            }
            lease.release();
        }
    }

    /** The result of a request whose caller left before it ran. */
    private static GenerationResult notRun(GenerationEngine engine, Admitted request, long queuedUs) {
        return new GenerationResult("", "cancelled", Math.max(0, request.prompt().tokens()), 0, engine.modelName(),
                request.adapter(), queuedUs, 0, 0, 0, 0);
    }

    /**
     * Adds an adapter; returns once new requests can select it. Fails with ALREADY_EXISTS for a taken name,
     * RESOURCE_EXHAUSTED past {@code maxAdapters}, or the factory's error (the old engine stays in service).
     */
    public void addAdapter(LoraAdapter adapter) throws Exception {
        synchronized (adapterChanges) {
            List<LoraAdapter> now = current.engine.adapters();
            if (now.stream().anyMatch(a -> a.name().equals(adapter.name()))) {
                throw new ServiceException(ErrorKind.ALREADY_EXISTS, "adapter '" + adapter.name() + "' is already loaded");
            }
            if (now.size() >= maxAdapters) {
                throw ServiceException.exhausted("model " + current.engine.modelName() + " holds " + now.size()
                        + " adapters, the configured maximum; unload one first");
            }
            List<LoraAdapter> next = new ArrayList<>(now);
            next.add(adapter);
            swap(factory.create(next));
        }
    }

    /** Removes an adapter; requests already using it finish with it. NOT_FOUND when it is not loaded. */
    public void removeAdapter(String name) throws Exception {
        synchronized (adapterChanges) {
            List<LoraAdapter> next = new ArrayList<>(current.engine.adapters());
            if (!next.removeIf(a -> a.name().equals(name))) {
                throw ServiceException.notFound("adapter '" + name + "' is not loaded");
            }
            swap(factory.create(next));
        }
    }

    private void swap(GenerationEngine engine) {
        Lease old = current;
        current = new Lease(engine);
        old.retire();
    }

    private Lease acquire() {
        while (true) {
            Lease lease = current;
            if (lease.tryAcquire()) {
                return lease;
            }
            // Retired between the read and the acquire: the next read sees its successor.
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        queue.close();
        current.retire();
    }

    /**
     * An engine and the requests using it. Retiring it closes the engine once the count drops to zero; a
     * retired lease takes no new users.
     */
    private static final class Lease {
        private static final int RETIRED = Integer.MIN_VALUE / 2;
        final GenerationEngine engine;
        private final AtomicInteger users = new AtomicInteger();

        Lease(GenerationEngine engine) {
            this.engine = engine;
        }

        boolean tryAcquire() {
            int n;
            do {
                n = users.get();
                if (n < 0) {
                    return false;
                }
            } while (!users.compareAndSet(n, n + 1));
            return true;
        }

        void release() {
            if (users.decrementAndGet() == RETIRED) {
                engine.close();
            }
        }

        void retire() {
            if (users.getAndAdd(RETIRED) == 0) {
                engine.close();
            }
        }
    }
}
