package io.ragsuite.vectorsearch.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.ragsuite.vectorsearch.core.LuceneCollection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Per-collection size gauges (points and disk bytes), refreshed every few seconds. */
@ApplicationScoped
public class StoreMetrics {
    private final StoreHolder holder;
    private final MultiGauge points;
    private final MultiGauge diskBytes;
    private final MultiGauge indexParts;

    public StoreMetrics(StoreHolder holder, MeterRegistry registry) {
        this.holder = holder;
        this.points = MultiGauge.builder("rag.vector.collection.points").description("Live points per collection")
                .register(registry);
        this.diskBytes = MultiGauge.builder("rag.vector.collection.disk").baseUnit("bytes")
                .description("Index size on disk per collection").register(registry);
        this.indexParts = MultiGauge.builder("rag.vector.collection.index").baseUnit("bytes")
                .description("Index bytes per collection and part: raw_vectors, quantized_vectors, graph, other. "
                        + "A search keeps quantized_vectors (or raw_vectors when not quantized) and graph hot")
                .register(registry);
        Gauge.builder("rag.vector.collections", holder, h -> h.ready() ? h.store().list().size() : 0)
                .description("Open collections").register(registry);
    }

    @Scheduled(every = "${rag.vector.metrics-interval:15s}", delayed = "5s")
    void refresh() {
        if (!holder.ready()) {
            return;
        }
        List<LuceneCollection> all = holder.store().list();
        points.register(all.stream().map(c -> MultiGauge.Row.of(Tags.of("collection", c.spec().name()), c.count()))
                .toList(), true);
        diskBytes.register(all.stream().map(c -> MultiGauge.Row.of(Tags.of("collection", c.spec().name()),
                c.diskBytes())).toList(), true);
        indexParts.register(all.stream().flatMap(c -> c.indexBytesByPart().entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("collection", c.spec().name(), "part", e.getKey()), e.getValue())))
                .toList(), true);
    }
}
