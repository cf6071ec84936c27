package io.ragsuite.orchestrator.pipeline;

/**
 * The options a query gets when it does not set them (rag.orchestrator.retrieval.*, rerank.mode, temperature).
 * The retrieval defaults are the ones measured best on the development sets (docs/retrieval-quality.md).
 */
public record QueryDefaults(RagQuery.Retrieval retrieval, RagQuery.Fusion fusion, float denseWeight, float bm25Weight,
        RagQuery.RerankMode rerank, float temperature) {
}
