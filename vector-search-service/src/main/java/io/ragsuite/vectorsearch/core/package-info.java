/**
 * The vector store's domain, free of any engine and of Quarkus or gRPC: collections of points behind
 * {@link io.ragsuite.vectorsearch.core.VectorStore} and {@link io.ragsuite.vectorsearch.core.VectorCollection},
 * the checks every backend applies before writing ({@link io.ragsuite.vectorsearch.core.PointChecks},
 * {@link io.ragsuite.vectorsearch.core.MetadataFilters}, {@link io.ragsuite.vectorsearch.core.SearchQuery}),
 * and reciprocal rank fusion for hybrid search. The adapters (grpc, rest) map wire messages onto these
 * interfaces; the backends are {@code lucene} (default) and {@code pgvector}.
 */
package io.ragsuite.vectorsearch.core;
