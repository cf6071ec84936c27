package io.ragsuite.embedding.app;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragsuite.embedding.core.EmbeddingEngine;
import io.ragsuite.embedding.core.EmbeddingResult;
import io.ragsuite.embedding.core.OrtRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prometheus metrics of the embedding stage: per-phase latency, request and batch sizes, queue depth. */
@ApplicationScoped
public class EmbeddingMetrics {
    private final MeterRegistry registry;
    private final DistributionSummary requestTexts;
    private final DistributionSummary batchTexts;
    private final DistributionSummary batchTokens;

    public EmbeddingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.requestTexts = DistributionSummary.builder("rag.embedding.request.texts")
                .description("Texts per embedding request").register(registry);
        this.batchTexts = DistributionSummary.builder("rag.embedding.batch.texts")
                .description("Texts per model call, after dynamic batching").publishPercentileHistogram()
                .register(registry);
        this.batchTokens = DistributionSummary.builder("rag.embedding.batch.tokens")
                .description("Padded tokens per model call").publishPercentileHistogram().register(registry);
    }

    /** Exposes the number of texts waiting to be batched. */
    public void watchQueue(Supplier<Number> depth) {
        Gauge.builder("rag.embedding.queue.depth", depth).description("Texts waiting to be batched").register(registry);
    }

    /**
     * {@code rag_embedding_execution_provider{model, provider, requested}} = 1 for the provider a model runs
     * on, so a dashboard shows a GPU deployment that silently fell back to CPU.
     */
    public void executionProvider(String model, OrtRuntime.ProviderChoice choice) {
        Gauge.builder("rag.embedding.execution.provider", () -> 1)
                .description("Execution provider a model runs on (value is always 1)")
                .tag("model", model).tag("provider", choice.active().label())
                .tag("requested", choice.requested().label()).register(registry);
    }

    public EmbeddingEngine.BatchObserver batchObserver() {
        return (texts, paddedTokens) -> {
            batchTexts.record(texts);
            batchTokens.record(paddedTokens);
        };
    }

    public void record(String protocol, EmbeddingResult result) {
        requestTexts.record(result.vectors().length);
        phase("queue", protocol, result.queueUs());
        phase("tokenize", protocol, result.tokenizeUs());
        phase("inference", protocol, result.inferenceUs());
        phase("total", protocol, result.totalUs());
    }

    private void phase(String phase, String protocol, long micros) {
        Timer.builder("rag.embedding.phase").description("Time per phase of an embedding request")
                .tag("phase", phase).tag("protocol", protocol).publishPercentileHistogram()
                .register(registry).record(micros, TimeUnit.MICROSECONDS);
    }
}
