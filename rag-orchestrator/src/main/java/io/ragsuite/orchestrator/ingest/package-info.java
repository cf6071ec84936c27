/**
 * Ingestion: documents are split into overlapping chunks (LangChain4j's recursive splitter: paragraphs,
 * then sentences, then words), embedded in batches and written to the vector store under ids
 * {@code <document id>#<chunk index>}, so re-ingesting a document replaces it in place. No Quarkus types.
 */
package io.ragsuite.orchestrator.ingest;
