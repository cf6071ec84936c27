package io.ragsuite.generation.core;

/** Receives generated text as it is produced. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param text new text (one token, or several when a character spans tokens)
     * @return false to stop generating (the client went away); the slot is freed at once
     */
    boolean onText(String text);
}
