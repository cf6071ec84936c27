package io.ragsuite.generation.core;

import java.util.List;

/** A loaded language model that turns a conversation into text. Safe to call from several threads. */
public interface GenerationEngine extends AutoCloseable {
    String modelName();

    /** Engine name for operators, e.g. "llama.cpp". */
    String backend();

    /** Requests that can decode at once. */
    int slots();

    /** Tokens one request may use, prompt and answer together. */
    int contextPerSlot();

    /**
     * Prepares a conversation: an in-process engine applies the model's chat template and counts the
     * tokens (so the scheduler can check the context before queueing); a remote one leaves both to the
     * server ({@code text} null, {@code tokens} -1).
     */
    Prompt prompt(List<ChatTurn> turns);

    /**
     * Whether requests with different adapters can share a decode batch (vLLM: yes). When not (llama.cpp), the
     * scheduler lets one adapter group run at a time and takes turns between groups.
     */
    default boolean batchesAcrossAdapters() {
        return true;
    }

    /** The LoRA adapters this engine can apply per request, in load order. */
    default List<LoraAdapter> adapters() {
        return List.of();
    }

    /**
     * Generates, calling {@code listener} per piece of text.
     *
     * @param adapter the name of one of {@link #adapters()} to apply to this request only, or null for the
     *                base model
     * @return why generation ended: "stop", "length" or "cancelled"
     */
    Completion complete(Prompt prompt, Sampling sampling, String adapter, TokenListener listener);

    /** Generates with the base model. */
    default Completion complete(Prompt prompt, Sampling sampling, TokenListener listener) {
        return complete(prompt, sampling, null, listener);
    }

    @Override
    void close();

    /**
     * A conversation ready for the engine.
     *
     * @param text   the rendered prompt, or null when the engine renders it elsewhere
     * @param tokens its length in tokens, or -1 when unknown before generation
     */
    record Prompt(List<ChatTurn> turns, String text, int tokens) {
    }

    /**
     * @param tokens       tokens (or pieces of text) produced
     * @param promptTokens the prompt's tokens when the engine learned them while generating, else -1
     */
    record Completion(String finishReason, int tokens, int promptTokens) {
        public Completion(String finishReason, int tokens) {
            this(finishReason, tokens, -1);
        }
    }
}
