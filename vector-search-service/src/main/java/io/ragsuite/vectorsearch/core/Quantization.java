package io.ragsuite.vectorsearch.core;

import java.util.Locale;

/**
 * How a collection stores the vectors its HNSW graph is searched with (which choices a backend offers is
 * up to it: Lucene has all four, pgvector none and binary). Every quantized form also keeps the
 * full-precision vectors on disk; searches take {@link #oversample()} times more candidates from the
 * graph than asked for and rescore them with the full-precision vectors, so returned scores are exact.
 * The memory a search needs hot is the quantized vectors plus the graph: about 1/4 of fp32 for int8,
 * 1/8 for int4 and 1/32 for binary, plus the graph.
 */
public enum Quantization {
    /** 32-bit floats. */
    NONE(1),
    /** Scalar quantization to one byte per dimension (Lucene: 7 bits, with per-segment ranges). */
    INT8(2),
    /** Scalar quantization to 4 bits per dimension, two per byte. */
    INT4(3),
    /** One bit per dimension (Lucene: RaBitQ-style with corrected scores; pgvector: sign bits, Hamming distance). */
    BINARY(5);

    private final int oversample;

    Quantization(int oversample) {
        this.oversample = oversample;
    }

    /** Candidates taken from the graph per result asked for, before full-precision rescoring. */
    public int oversample() {
        return oversample;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Quantization parse(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw io.ragsuite.support.error.ServiceException.invalid("unknown quantization '" + value
                    + "'; known: none, int8, int4, binary");
        }
    }
}
