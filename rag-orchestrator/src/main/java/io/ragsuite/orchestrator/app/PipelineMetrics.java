package io.ragsuite.orchestrator.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** Per-stage latency of RAG queries, and the best retrieval score (a cheap retrieval-quality signal). */
@ApplicationScoped
public class PipelineMetrics {
    private final MeterRegistry registry;
    private final DistributionSummary topScore;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.topScore = DistributionSummary.builder("rag.query.top.score")
                .description("Score of the best retrieved passage per query").serviceLevelObjectives(0.2, 0.3, 0.4, 0.5, 0.6)
                .register(registry);
    }

    public void record(String protocol, RagAnswer answer) {
        stage("embed", protocol, answer.timings().embedMs());
        stage("search", protocol, answer.timings().searchMs());
        stage("generate", protocol, answer.timings().generateMs());
        stage("total", protocol, answer.timings().totalMs());
        if (!answer.passages().isEmpty()) {
            topScore.record(answer.passages().get(0).score());
        } else {
            Counter.builder("rag.query.no.passages").register(registry).increment();
        }
    }

    private void stage(String stage, String protocol, double ms) {
        Timer.builder("rag.query.stage").description("Time per pipeline stage of a RAG query").tag("stage", stage)
                .tag("protocol", protocol).publishPercentileHistogram().register(registry)
                .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
    }
}
