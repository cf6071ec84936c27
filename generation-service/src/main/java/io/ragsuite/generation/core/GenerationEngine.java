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
     * Generates, calling {@code listener} per piece of text.
     *
     * @return why generation ended: "stop", "length" or "cancelled"
     */
    Completion complete(Prompt prompt, Sampling sampling, TokenListener listener);

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
