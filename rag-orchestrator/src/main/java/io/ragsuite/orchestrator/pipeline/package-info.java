/**
 * The RAG pipeline as small stages, each an interface with one default implementation, in the manner of
 * LangChain4j's {@code rag} package: {@link io.ragsuite.orchestrator.retrieve.Retriever} (embed the
 * question, search the index), {@link io.ragsuite.orchestrator.prompt.PromptBuilder} (fit passages into
 * the model's budget), and generation through {@link io.ragsuite.orchestrator.generate.AnswerGenerator}.
 * {@link io.ragsuite.orchestrator.pipeline.RagPipeline} composes them as a Ray Serve RAG application does.
 *
 * <p>The stages reach the other services through ports ({@link io.ragsuite.orchestrator.retrieve.Embedder},
 * {@link io.ragsuite.orchestrator.retrieve.PassageStore}, {@link io.ragsuite.orchestrator.generate.AnswerGenerator})
 * implemented by gRPC clients in {@code ..clients}; nothing here knows about Quarkus or gRPC. Everything is
 * asynchronous ({@link java.util.concurrent.CompletionStage}) so no thread waits on a remote stage.
 */
package io.ragsuite.orchestrator.pipeline;
