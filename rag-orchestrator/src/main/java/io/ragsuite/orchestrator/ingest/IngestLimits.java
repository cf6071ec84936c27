package io.ragsuite.orchestrator.ingest;

/**
 * Ingestion limits, all configurable.
 *
 * @param maxDocuments      documents per request that is written whole or not at all (REST one document, gRPC
 *                          Ingest)
 * @param maxDocumentChars  characters per document
 * @param embedBatch        chunks sent to the embedding stage per call
 * @param maxBatchDocuments documents per batch call whose documents succeed or fail each on its own (REST
 *                          {@code /v1/documents/batch})
 */
public record IngestLimits(int maxDocuments, int maxDocumentChars, int embedBatch, int maxBatchDocuments) {
}
