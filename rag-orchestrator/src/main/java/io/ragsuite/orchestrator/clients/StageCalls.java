package io.ragsuite.orchestrator.clients;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.grpc.GrpcClient;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.ServiceException;
import jakarta.enterprise.context.ApplicationScoped;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Every call to a stage goes through its own guard here (SmallRye Fault Tolerance), as each Ray Serve
 * deployment fails and scales on its own: a concurrency limit with a bounded waiting line (bulkhead), retries
 * of calls that failed because the stage was unreachable or too slow (not of calls it refused, and never of a
 * generation stream, which may have sent text already), and a circuit breaker that, after repeated failures,
 * fails calls at once for a while instead of piling them onto a stage that is down. Deadlines are the gRPC
 * deadlines of each call (rag.orchestrator.*-timeout).
 *
 * <p>The values below are defaults; each can be changed with MicroProfile Fault Tolerance's keys, e.g.
 * {@code io.ragsuite.orchestrator.clients.StageCalls/embedding/CircuitBreaker/delay=5000} or, by environment,
 * {@code IO_RAGSUITE_ORCHESTRATOR_CLIENTS_STAGECALLS_EMBEDDING_CIRCUITBREAKER_DELAY=5000}.
 *
 * <p>Each operation is a span ({@link #call}), the per-stage span of the query's trace.
 */
@ApplicationScoped
public class StageCalls {
    static final AttributeKey<String> STAGE_ATTRIBUTE = AttributeKey.stringKey("rag.stage");

    /** The stages by the names the suite's errors, spans and metrics use; clients call with these constants. */
    public static final String EMBEDDING = "embedding stage";
    public static final String VECTOR_SEARCH = "vector search stage";
    public static final String GENERATION = "generation stage";
    static final List<String> STAGES = List.of(EMBEDDING, VECTOR_SEARCH, GENERATION);

    private final Tracer tracer;
    /** Operations open per stage (running, retrying or waiting in the bulkhead): rag_stage_calls_in_flight. */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /** Per stage: makes its channel reconnect now if it is waiting out a reconnect backoff ({@link #counted}). */
    private final Map<String, Runnable> reconnectNow;

    public StageCalls(Tracer tracer, MeterRegistry registry, @GrpcClient("embedding") Channel embedding,
            @GrpcClient("vector-search") Channel vectorSearch, @GrpcClient("generation") Channel generation) {
        this.tracer = tracer;
        this.reconnectNow = Map.of(EMBEDDING, reconnector(embedding), VECTOR_SEARCH, reconnector(vectorSearch),
                GENERATION, reconnector(generation));
        for (String stage : STAGES) {
            AtomicInteger open = new AtomicInteger();
            inFlight.put(stage, open);
            // What deploy/overlays/keda scales the stages on: unlike the stage's own metrics, it exists while the
            // stage has no pod at all.
            Gauge.builder("rag.stage.calls.in.flight", open, AtomicInteger::get)
                    .description("Calls the orchestrator has open to a stage, running or waiting")
                    .tag("stage", stage).register(registry);
        }
    }

    /** A stage that was unreachable or exceeded its deadline: the failures the breaker counts and retries retry. */
    static final class StageFailure extends RuntimeException {
        final ServiceException failure;

        StageFailure(ServiceException failure) {
            super(failure.getMessage(), failure);
            this.failure = failure;
        }
    }

    @Bulkhead(value = 32, waitingTaskQueue = 128)
    @Retry(maxRetries = 2, delay = 100, jitter = 50, retryOn = StageFailure.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.5, delay = 5000, successThreshold = 2,
            failOn = StageFailure.class)
    public <T> CompletionStage<T> embedding(Supplier<CompletionStage<T>> call) {
        return counted(EMBEDDING, call);
    }

    @Bulkhead(value = 32, waitingTaskQueue = 128)
    @Retry(maxRetries = 2, delay = 100, jitter = 50, retryOn = StageFailure.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.5, delay = 5000, successThreshold = 2,
            failOn = StageFailure.class)
    public <T> CompletionStage<T> vectorSearch(Supplier<CompletionStage<T>> call) {
        return counted(VECTOR_SEARCH, call);
    }

    @Bulkhead(value = 16, waitingTaskQueue = 64)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.5, delay = 10000, successThreshold = 1,
            failOn = StageFailure.class)
    public <T> CompletionStage<T> generation(Supplier<CompletionStage<T>> call) {
        return counted(GENERATION, call);
    }

    private static Runnable reconnector(Channel channel) {
        return channel instanceof ManagedChannel managed ? managed::resetConnectBackoff : () -> { };
    }

    /**
     * Marks the failures that count against the stage; everything else passes through unchanged. After an
     * UNAVAILABLE the stage's channel is told to reconnect at once: a channel whose connects failed while the stage
     * was away (a pod being replaced) waits out an exponential backoff, seconds long after a few failures, and
     * fails every call at once meanwhile, so the retries 100 ms later would fail too although the new pod is up
     * (seen on deploy/cluster.sh's node; StageReconnectTest).
     */
    private <T> CompletionStage<T> counted(String stage, Supplier<CompletionStage<T>> call) {
        CompletableFuture<T> out = new CompletableFuture<>();
        call.get().whenComplete((value, failure) -> {
            if (failure == null) {
                out.complete(value);
                return;
            }
            Throwable t = Failures.unwrap(failure);
            if (t instanceof ServiceException se
                    && (se.kind() == ErrorKind.UNAVAILABLE || se.kind() == ErrorKind.DEADLINE_EXCEEDED)) {
                if (se.kind() == ErrorKind.UNAVAILABLE) {
                    reconnectNow.get(stage).run();
                }
                out.completeExceptionally(new StageFailure(se));
            } else {
                out.completeExceptionally(t);
            }
        });
        return out;
    }

    /**
     * Turns what the guards throw back into the suite's errors, naming the stage: the stage's own failure after
     * the retries, UNAVAILABLE while its circuit is open, RESOURCE_EXHAUSTED at its concurrency limit.
     */
    static Throwable explain(String stage, Throwable failure) {
        Throwable t = Failures.unwrap(failure);
        if (t instanceof StageFailure sf) {
            return sf.failure;
        }
        if (t instanceof CircuitBreakerOpenException) {
            return ServiceException.unavailable(stage + " is failing; calls to it are refused for a few seconds "
                    + "(circuit breaker open) before it is tried again", null);
        }
        if (t instanceof BulkheadException) {
            return ServiceException.exhausted(stage + " is at its concurrency limit; retry later");
        }
        return t;
    }

    /**
     * One stage operation: through the stage's guard ({@code guard}, e.g. {@code this::embedding}), with its
     * failures explained, inside a span named after the stage. The span covers the whole operation (waiting in
     * the bulkhead, every retry); each attempt runs with it as the current context, so the gRPC client span of
     * every attempt is its child whichever thread the guard runs the attempt on.
     */
    <T> CompletionStage<T> call(String stage, Function<Supplier<CompletionStage<T>>, CompletionStage<T>> guard,
            Supplier<CompletionStage<T>> attempt) {
        AtomicInteger open = inFlight.get(stage);
        if (open == null) {
            // A name outside STAGES would be counted where no gauge reads it: a programming error, said loudly.
            throw new IllegalArgumentException("unknown stage '" + stage + "' (one of " + STAGES + ")");
        }
        open.incrementAndGet();
        Context caller = Context.current();
        Span span = tracer.spanBuilder(stage).setParent(caller).setAttribute(STAGE_ATTRIBUTE, stage).startSpan();
        Context context = caller.with(span);
        Supplier<CompletionStage<T>> inSpan = () -> {
            try (Scope ignored = context.makeCurrent()) {
                return attempt.get();
            }
        };
        CompletionStage<T> guarded;
        try (Scope ignored = context.makeCurrent()) {
            guarded = guard.apply(inSpan);
        } catch (RuntimeException e) {
            guarded = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        guarded.whenComplete((v, f) -> {
            Throwable explained = f == null ? null : explain(stage, f);
            if (explained != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(explained.getMessage()));
                span.recordException(explained);
            }
            span.end();
            open.decrementAndGet();
            // Whatever thread completes the call, the caller's continuations (the next stage) run in the caller's
            // context, so their spans stay in the query's trace.
            try (Scope ignored = caller.makeCurrent()) {
                if (explained == null) {
                    out.complete(v);
                } else {
                    out.completeExceptionally(explained);
                }
            }
        });
        return out;
    }
}
