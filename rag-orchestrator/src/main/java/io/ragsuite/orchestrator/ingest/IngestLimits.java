package io.ragsuite.orchestrator.ingest;

/**
 * Ingestion limits, all configurable.
 *
 * @param maxDocuments     documents per request
 * @param maxDocumentChars characters per document
 * @param embedBatch       chunks sent to the embedding stage per call
 */
public record IngestLimits(int maxDocuments, int maxDocumentChars, int embedBatch) {
}
