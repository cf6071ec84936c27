/**
 * The generation engine and its scheduler: prompt building from chat turns (the model's own chat
 * template), request checks (context fit, sampling ranges), a bounded waiting line in front of the
 * engine's parallel slots, and token streaming with cancellation. Nothing here knows about Quarkus or
 * gRPC.
 *
 * <p>The default engine is llama.cpp in-process ({@link io.ragsuite.generation.core.LlamaCppEngine}, over our
 * JNI binding {@link io.ragsuite.generation.core.LlamaNative}): one decode thread runs N slots with continuous
 * batching, so concurrent requests share decode steps. The other
 * is any OpenAI-compatible server ({@link io.ragsuite.generation.core.OpenAiRemoteEngine}: vLLM, TGI,
 * trtllm-serve, llama.cpp's server), which renders, counts and batches on its side.
 *
 * <p>Weights are checked before the engine sees them ({@link io.ragsuite.generation.core.WeightFiles},
 * {@link io.ragsuite.generation.core.GgufHeader}).
 */
package io.ragsuite.generation.core;
