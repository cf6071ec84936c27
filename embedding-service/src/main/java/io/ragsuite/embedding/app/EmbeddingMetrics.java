package io.ragsuite.embedding.app;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragsuite.embedding.core.EmbeddingResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** Prometheus metrics of the embedding stage, recorded by both adapters the same way. */
@ApplicationScoped
public class EmbeddingMetrics {
    private final MeterRegistry registry;
    private final DistributionSummary batchTexts;

    public EmbeddingMetrics(MeterRegistry registry, ModelLoader loader) {
        this.registry = registry;
        this.batchTexts = DistributionSummary.builder("rag.embedding.request.texts")
                .description("Texts per embedding request").register(registry);
        registry.gauge("rag.embedding.queue.depth", loader, l -> l.ready() ? l.engine().queueDepth() : 0);
    }

    public void record(String protocol, EmbeddingResult result) {
        batchTexts.record(result.vectors().length);
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
