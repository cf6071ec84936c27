/**
 * The vector store: collections of points kept in Lucene indexes on disk (HNSW graphs for the vectors,
 * stored fields for text and metadata, term fields for metadata filters). Nothing here knows about
 * Quarkus or gRPC; the adapters map wire messages onto {@link io.ragsuite.vectorsearch.core.CollectionStore}.
 *
 * <p>Why Lucene: one engine gives the HNSW graph, filtered graph search, durable atomic commits and (for
 * hybrid search later) BM25, all well kept and used at scale by Elasticsearch, OpenSearch and Solr.
 *
 * <p>Durability: a write is acknowledged only after an {@code IndexWriter.commit()} covering it has
 * returned, which fsyncs the new segments and the commit point: one commit per request ({@code sync}) or one
 * for all requests applied within a short delay ({@code group}, see {@link
 * io.ragsuite.vectorsearch.core.CommitPolicy}). A batch is applied as a unit, so after a crash it is either
 * all there or not at all; the e2e VectorStoreCrashTest kills the service with SIGKILL to check this.
 *
 * <p>Search: HNSW over float vectors or Lucene's scalar (int8, int4) and binary quantized vectors, rescored
 * with the full-precision vectors; BM25 over the text (English analysis) and hybrid reciprocal rank fusion.
 * Snapshots copy a pinned commit point while writes continue.
 */
package io.ragsuite.vectorsearch.core;
