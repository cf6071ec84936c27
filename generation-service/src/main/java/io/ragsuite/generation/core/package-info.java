/**
 * The generation engine and its scheduler: prompt building from chat turns (the model's own chat
 * template), request checks (context fit, sampling ranges), a bounded waiting line in front of the
 * engine's parallel slots, and token streaming with cancellation. Nothing here knows about Quarkus or
 * gRPC.
 *
 * <p>The default engine is llama.cpp in-process ({@link io.ragsuite.generation.core.LlamaCppEngine}): its
 * server loop runs N slots with continuous batching, so concurrent requests share decode steps.
 */
package io.ragsuite.generation.core;
