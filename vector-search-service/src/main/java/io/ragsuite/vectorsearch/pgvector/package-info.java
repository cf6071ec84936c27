/**
 * The scale-out backend: collections in PostgreSQL with the pgvector extension, behind the same
 * {@link io.ragsuite.vectorsearch.core.VectorStore} contract as the embedded Lucene backend. For data that
 * outgrows one node: PostgreSQL read replicas, Citus and managed offerings scale it, and several service
 * replicas can share one database (the catalog table is the truth).
 *
 * <p>What maps how: HNSW index per collection (cosine, inner product or L2 operator class), binary
 * quantization as an HNSW index over {@code binary_quantize(embedding)} with exact re-ranking; no int8/int4
 * (pgvector has none). Metadata filters become SQL over jsonb ({@link io.ragsuite.vectorsearch.pgvector.PgFilterSql}),
 * served by a GIN index, with pgvector's iterative index scan so filtered searches still fill top_k. Text
 * search is PostgreSQL's full-text search ({@code ts_rank}), not BM25. Durability is PostgreSQL's: a write
 * is acknowledged after its transaction commits (WAL flushed). Snapshots are {@code CREATE TABLE AS}
 * copies, consistent by MVCC while writes go on.
 *
 * <p>JDBC through the PostgreSQL driver and an Agroal pool built here (not a Quarkus datasource), so a
 * deployment on the Lucene backend needs no database settings at all.
 */
package io.ragsuite.vectorsearch.pgvector;
