/**
 * The embedding engine: tokenizer, ONNX Runtime session, pooling and the bounded work queue in front of
 * them. Nothing here knows about Quarkus, CDI or gRPC; the adapters in {@code ..grpc} and {@code ..rest}
 * translate wire messages into calls on {@link io.ragsuite.embedding.core.EmbeddingEngine}.
 */
package io.ragsuite.embedding.core;
