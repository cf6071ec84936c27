package io.ragsuite.generation.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.GenerationScheduler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus metrics of the generation stage, tagged by model and LoRA adapter ("none" for the base model):
 * time to first token, inter-token latency, decode tokens/s, request duration, queue wait, prompt and
 * generated tokens; per model, the waiting line and busy slots. Created at startup so the gauges are there
 * from the first scrape.
 */
@Startup
@ApplicationScoped
public class GenerationMetrics {
    static final String NO_ADAPTER = "none";
    private final MeterRegistry registry;

    public GenerationMetrics(MeterRegistry registry, EngineLoader loader, GenerationConfig config) {
        this.registry = registry;
        List<String> models = new ArrayList<>(List.of(config.modelName()));
        models.addAll(config.models().keySet());
        for (String model : models) {
            Gauge.builder("rag.generation.queue.depth", loader, l -> scheduler(l, model) == null ? 0 : scheduler(l, model).waiting())
                    .tag("model", model).description("Requests waiting for a free slot").register(registry);
            Gauge.builder("rag.generation.slots.active", loader, l -> scheduler(l, model) == null ? 0 : scheduler(l, model).active())
                    .tag("model", model).description("Slots generating").register(registry);
        }
    }

    private static GenerationScheduler scheduler(EngineLoader loader, String model) {
        return loader.ready() ? loader.registry().models().get(model) : null;
    }

    public void record(String protocol, GenerationResult r) {
        String adapter = r.adapter() == null ? NO_ADAPTER : r.adapter();
        timer("rag.generation.time.to.first.token", protocol, r.model(), adapter).record(r.timeToFirstTokenUs(), TimeUnit.MICROSECONDS);
        timer("rag.generation.duration", protocol, r.model(), adapter).record(r.totalUs(), TimeUnit.MICROSECONDS);
        timer("rag.generation.queue.wait", protocol, r.model(), adapter).record(r.queueUs(), TimeUnit.MICROSECONDS);
        Counter.builder("rag.generation.tokens").tag("kind", "prompt").tag("model", r.model()).tag("adapter", adapter)
                .register(registry).increment(r.promptTokens());
        Counter.builder("rag.generation.tokens").tag("kind", "completion").tag("model", r.model()).tag("adapter", adapter)
                .register(registry).increment(r.completionTokens());
        if (r.completionTokens() > 1 && r.decodeUs() > 0) {
            DistributionSummary.builder("rag.generation.decode.tokens.per.second").tag("model", r.model())
                    .tag("adapter", adapter).description("Generated tokens per second of decoding, per request")
                    .publishPercentileHistogram().register(registry)
                    .record((r.completionTokens() - 1) * 1e6 / r.decodeUs());
        }
    }

    private Timer timer(String name, String protocol, String model, String adapter) {
        return Timer.builder(name).tag("protocol", protocol).tag("model", model).tag("adapter", adapter)
                .publishPercentileHistogram().register(registry);
    }

    /** Records every gap between two generated pieces (the scheduler calls it from the decoding thread). */
    @ApplicationScoped
    public static class InterTokenObserver implements GenerationScheduler.Observer {
        private final MeterRegistry registry;
        /** Called for every generated piece: the timer is looked up once per model and adapter, not per token. */
        private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

        public InterTokenObserver(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void interToken(String model, String adapter, long micros) {
            String tag = adapter == null ? NO_ADAPTER : adapter;
            timers.computeIfAbsent(model + '\u0000' + tag, k -> Timer.builder("rag.generation.inter.token.latency")
                    .tag("model", model).tag("adapter", tag).publishPercentileHistogram().register(registry))
                    .record(micros, TimeUnit.MICROSECONDS);
        }
    }
}
