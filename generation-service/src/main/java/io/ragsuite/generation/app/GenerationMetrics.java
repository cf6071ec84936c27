package io.ragsuite.generation.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragsuite.generation.core.GenerationResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** Prometheus metrics of the generation stage. */
@ApplicationScoped
public class GenerationMetrics {
    private final MeterRegistry registry;

    public GenerationMetrics(MeterRegistry registry, EngineLoader loader) {
        this.registry = registry;
        Gauge.builder("rag.generation.queue.depth", loader, l -> l.ready() ? l.scheduler().waiting() : 0)
                .description("Requests waiting for a free slot").register(registry);
        Gauge.builder("rag.generation.slots.active", loader, l -> l.ready() ? l.scheduler().active() : 0)
                .description("Slots generating").register(registry);
    }

    public void record(String protocol, GenerationResult r) {
        timer("rag.generation.time.to.first.token", protocol, r).record(r.timeToFirstTokenUs(), TimeUnit.MICROSECONDS);
        timer("rag.generation.duration", protocol, r).record(r.totalUs(), TimeUnit.MICROSECONDS);
        timer("rag.generation.queue.wait", protocol, r).record(r.queueUs(), TimeUnit.MICROSECONDS);
        Counter.builder("rag.generation.tokens").tag("kind", "prompt").tag("model", r.model()).register(registry)
                .increment(r.promptTokens());
        Counter.builder("rag.generation.tokens").tag("kind", "completion").tag("model", r.model()).register(registry)
                .increment(r.completionTokens());
    }

    private Timer timer(String name, String protocol, GenerationResult r) {
        return Timer.builder(name).tag("protocol", protocol).tag("model", r.model()).publishPercentileHistogram()
                .register(registry);
    }
}
