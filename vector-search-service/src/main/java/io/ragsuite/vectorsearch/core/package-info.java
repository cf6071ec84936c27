/**
 * The vector store: collections of points kept in Lucene indexes on disk (HNSW graphs for the vectors,
 * stored fields for text and metadata, term fields for metadata filters). Nothing here knows about
 * Quarkus or gRPC; the adapters map wire messages onto {@link io.ragsuite.vectorsearch.core.CollectionStore}.
 *
 * <p>Why Lucene: one engine gives the HNSW graph, filtered graph search, durable atomic commits and (for
 * hybrid search later) BM25, all well kept and used at scale by Elasticsearch, OpenSearch and Solr.
 *
 * <p>Durability: a write is acknowledged only after {@code IndexWriter.commit()} has returned, which
 * fsyncs the new segments and the commit point; a batch is one commit, so after a crash a batch is either
 * all there or not at all.
 */
package io.ragsuite.vectorsearch.core;
