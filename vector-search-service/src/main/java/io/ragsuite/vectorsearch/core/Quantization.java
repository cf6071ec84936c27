package io.ragsuite.vectorsearch.core;

import java.util.Locale;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene102.Lucene102HnswBinaryQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * How a collection stores the vectors its HNSW graph is searched with. Every quantized format also keeps
 * the full-precision vectors on disk; searches take {@link #oversample()} times more candidates from the
 * graph than asked for and rescore them with the full-precision vectors, so returned scores are exact.
 * The memory a search needs hot is the quantized vectors plus the graph: about 1/4 of fp32 for int8,
 * 1/8 for int4 and 1/32 for binary, plus the graph.
 */
public enum Quantization {
    /** 32-bit floats. */
    NONE(1),
    /** Lucene's scalar quantization to 7 bits per dimension (one byte each), with per-segment ranges. */
    INT8(2),
    /** Scalar quantization to 4 bits per dimension, two per byte. */
    INT4(3),
    /** Lucene's binary quantization (RaBitQ-style, 1 bit per dimension, corrected scores). */
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

    /** The Lucene vectors format for this choice with the collection's HNSW parameters. */
    KnnVectorsFormat format(int m, int efConstruction) {
        return switch (this) {
            case NONE -> new Lucene99HnswVectorsFormat(m, efConstruction);
            // bits 7 (not 8): Lucene's int8 path stores unsigned 7-bit values so dot products fit an int.
            case INT8 -> new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction, 1, 7, false, null, null);
            case INT4 -> new Lucene99HnswScalarQuantizedVectorsFormat(m, efConstruction, 1, 4, true, null, null);
            case BINARY -> new Lucene102HnswBinaryQuantizedVectorsFormat(m, efConstruction, 1, null);
        };
    }
}
