package io.ragsuite.embedding.core;

/** How token vectors become one sentence vector. */
public enum Pooling {
    /** Average of the token vectors under the attention mask (sentence-transformers' default). */
    MEAN,
    /** The vector of the first token ([CLS]), as BGE models are trained. */
    CLS
}
