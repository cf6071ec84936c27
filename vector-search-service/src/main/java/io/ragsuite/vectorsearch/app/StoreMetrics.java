package io.ragsuite.vectorsearch.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.ragsuite.vectorsearch.core.VectorCollection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Per-collection gauges, refreshed every few seconds (sizes are read from disk or the database, too slow
 * for every scrape): points, disk bytes, bytes per index part, and the memory a search needs. Created at
 * startup so the gauges are there from the first scrape, not only once the first refresh has run.
 */
@Startup
@ApplicationScoped
public class StoreMetrics {
    private final StoreHolder holder;
    private final MultiGauge points;
    private final MultiGauge diskBytes;
    private final MultiGauge searchMemory;
    private final MultiGauge indexParts;

    public StoreMetrics(StoreHolder holder, MeterRegistry registry) {
        this.holder = holder;
        this.points = MultiGauge.builder("rag.vector.collection.points").description("Live points per collection")
                .register(registry);
        this.diskBytes = MultiGauge.builder("rag.vector.collection.disk").baseUnit("bytes")
                .description("Bytes on disk per collection").register(registry);
        this.searchMemory = MultiGauge.builder("rag.vector.collection.search.memory").baseUnit("bytes")
                .description("Bytes a search keeps in memory per collection (searched vectors and graph): "
                        + "what to size RAM by").register(registry);
        this.indexParts = MultiGauge.builder("rag.vector.collection.index").baseUnit("bytes")
                .description("Bytes per collection and part. lucene: raw_vectors, quantized_vectors, graph, other; "
                        + "pgvector: table, graph, text_index, other").register(registry);
        Gauge.builder("rag.vector.collections", holder, h -> h.ready() ? h.store().list().size() : 0)
                .description("Open collections").register(registry);
    }

    @Scheduled(every = "${rag.vector.metrics-interval:15s}", delayed = "5s")
    void refresh() {
        if (!holder.ready()) {
            return;
        }
        List<? extends VectorCollection> all = holder.store().list();
        register(points, all, VectorCollection::count);
        register(diskBytes, all, VectorCollection::diskBytes);
        register(searchMemory, all, VectorCollection::searchMemoryBytes);
        indexParts.register(all.stream().flatMap(c -> c.bytesByPart().entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("collection", c.spec().name(), "part", e.getKey()), e.getValue())))
                .toList(), true);
    }

    private static void register(MultiGauge gauge, List<? extends VectorCollection> all,
            ToDoubleFunction<VectorCollection> value) {
        gauge.register(all.stream().map(c -> MultiGauge.Row.of(Tags.of("collection", c.spec().name()),
                value.applyAsDouble(c))).toList(), true);
    }
}
