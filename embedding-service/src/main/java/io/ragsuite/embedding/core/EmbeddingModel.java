package io.ragsuite.embedding.core;

import java.util.List;

/** A loaded sentence-embedding model. Implementations must be safe to call from several threads. */
public interface EmbeddingModel extends AutoCloseable {
    ModelSpec spec();

    /** Vector dimension. */
    int dimension();

    /** Engine that runs the model, for operators (e.g. "onnxruntime-cpu"). */
    String backend();

    /**
     * Tokenizes {@code texts}. A text longer than {@link ModelSpec#maxTokens()} is cut to it and flagged;
     * the caller decides whether that is allowed.
     */
    List<TokenizedText> tokenize(List<String> texts);

    /** Runs the model on tokenized texts, one vector per text, pooled and normalised per the spec. */
    float[][] embed(List<TokenizedText> tokens);

    @Override
    void close();

    /**
     * Token ids of one text after truncation.
     *
     * @param truncated true when the original text had more tokens than the model accepts
     */
    record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
        public int length() {
            return ids.length;
        }
    }
}
