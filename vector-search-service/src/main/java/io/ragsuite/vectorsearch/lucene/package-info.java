/**
 * The default backend: collections kept in Lucene indexes on disk, one folder each (HNSW graphs for the
 * vectors, one binary doc value per point for its id, text and metadata ({@link
 * io.ragsuite.vectorsearch.lucene.PointPayload}) and one for its raw vector, term and point fields for metadata
 * filters, an English BM25 field for text search).
 *
 * <p>Why Lucene (over JVector, the other well-kept JVM HNSW library): one engine gives the HNSW graph,
 * filtered graph search, scalar (int8, int4) and binary quantization with full-precision rescoring, BM25,
 * and durable atomic commits, all kept and used at scale by Elasticsearch, OpenSearch and Solr. JVector
 * would bring the graph and product quantization only; text search, storage and durability would be ours.
 *
 * <p>Durability: a write is acknowledged only after an {@code IndexWriter.commit()} covering it has
 * returned, which fsyncs the new segments and the commit point: one commit per request ({@code sync}) or one
 * for all requests applied within a short delay ({@code group}, see {@link
 * io.ragsuite.vectorsearch.lucene.CommitPolicy}). A batch is applied as a unit, so after a crash it is either
 * all there or not at all; the e2e VectorStoreCrashTest kills the service with SIGKILL to check this.
 * Snapshots copy a pinned commit point while writes continue.
 */
package io.ragsuite.vectorsearch.lucene;
