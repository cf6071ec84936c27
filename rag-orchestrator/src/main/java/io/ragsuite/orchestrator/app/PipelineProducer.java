package io.ragsuite.orchestrator.app;

import io.ragsuite.orchestrator.ingest.DefaultDocumentChunker;
import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.orchestrator.ingest.IngestLimits;
import io.ragsuite.orchestrator.pipeline.AnswerGenerator;
import io.ragsuite.orchestrator.pipeline.DefaultPromptBuilder;
import io.ragsuite.orchestrator.pipeline.DefaultRetriever;
import io.ragsuite.orchestrator.pipeline.Embedder;
import io.ragsuite.orchestrator.pipeline.PassageStore;
import io.ragsuite.orchestrator.pipeline.RagLimits;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the pipeline stages to the gRPC clients; swapping a stage means producing another implementation. */
public class PipelineProducer {
    @Produces
    @Singleton
    RagPipeline pipeline(Embedder embedder, PassageStore store, AnswerGenerator generator, OrchestratorConfig config) {
        return new RagPipeline(new DefaultRetriever(embedder, store), new DefaultPromptBuilder(config.promptContextChars()),
                generator, new RagLimits(config.defaultTopK(), config.maxTopK(), config.maxQuestionChars(),
                        config.maxAnswerTokens()));
    }

    @Produces
    @Singleton
    DocumentIngestor ingestor(Embedder embedder, PassageStore store, OrchestratorConfig config) {
        return new DocumentIngestor(new DefaultDocumentChunker(config.chunkChars(), config.chunkOverlapChars()), embedder,
                store, new IngestLimits(config.maxDocuments(), config.maxDocumentChars(), config.embedBatch()));
    }
}
