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

    /** Applies the model's chat template. */
    String renderPrompt(List<ChatTurn> turns);

    int countTokens(String text);

    /**
     * Generates from a rendered prompt, calling {@code listener} per piece of text.
     *
     * @return why generation ended: "stop", "length" or "cancelled"
     */
    Completion complete(String prompt, Sampling sampling, TokenListener listener);

    @Override
    void close();

    /** @param tokens pieces of text produced */
    record Completion(String finishReason, int tokens) {
    }
}
