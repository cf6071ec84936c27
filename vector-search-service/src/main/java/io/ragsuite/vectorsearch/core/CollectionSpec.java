package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;
import java.util.regex.Pattern;

/**
 * The fixed shape of a collection, chosen at creation.
 *
 * @param m              HNSW maximum neighbours per node
 * @param efConstruction HNSW candidate list size while building
 * @param efSearch       HNSW candidate list size while searching, unless a query sets its own
 * @param quantization   how the searched vectors are stored (full-precision rescoring for all but NONE)
 */
public record CollectionSpec(String name, int dimension, Metric metric, int m, int efConstruction, int efSearch,
        Quantization quantization) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    public static final int DEFAULT_M = 16;
    public static final int DEFAULT_EF_CONSTRUCTION = 100;
    public static final int DEFAULT_EF_SEARCH = 64;
    public static final int MAX_EF = 3200;

    /** Checks a name before it is used as a folder name. */
    public static String checkName(String name) {
        Require.nonBlank(name, "collection name");
        Require.that(NAME.matcher(name).matches(), "collection name '" + name
                + "' must be 1-64 characters of letters, digits, '_' or '-', starting with a letter or digit");
        return name;
    }

    /** Validates a requested spec against the server limits, filling defaults for zero values. */
    public static CollectionSpec of(String name, int dimension, Metric metric, int m, int efConstruction,
            int efSearch, Quantization quantization, int maxDimension) {
        checkName(name);
        Require.inRange(dimension, 1, maxDimension, "dimension");
        int realM = m == 0 ? DEFAULT_M : Require.inRange(m, 2, 512, "hnsw.m");
        int realEf = efConstruction == 0 ? DEFAULT_EF_CONSTRUCTION
                : Require.inRange(efConstruction, 1, MAX_EF, "hnsw.ef_construction");
        int realEfSearch = efSearch == 0 ? DEFAULT_EF_SEARCH : Require.inRange(efSearch, 1, MAX_EF, "hnsw.ef_search");
        Quantization q = quantization == null ? Quantization.NONE : quantization;
        // Lucene's binary and int4 quantizers need an even number of dimensions.
        Require.that(q == Quantization.NONE || q == Quantization.INT8 || dimension % 2 == 0,
                q.label() + " quantization needs an even dimension, got " + dimension);
        return new CollectionSpec(name, dimension, metric == null ? Metric.COSINE : metric, realM, realEf,
                realEfSearch, q);
    }
}
