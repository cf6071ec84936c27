package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.Map;
import java.util.regex.Pattern;

/** Validation every backend applies to points before writing anything, so both reject the same input. */
public final class PointChecks {
    public static final int MAX_ID_CHARS = 256;
    public static final int MAX_METADATA_VALUE_CHARS = 4096;
    public static final int MAX_METADATA_KEY_CHARS = 128;
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private PointChecks() {
    }

    /**
     * Checks a point for a collection; returns its vector as indexed (unit length for cosine).
     *
     * @param where the point's place in the request, for messages ("points[3]")
     */
    public static float[] check(Point p, CollectionSpec spec, StoreLimits limits, String where) {
        Require.nonBlank(p.id(), where + ".id");
        Require.maxLength(p.id(), MAX_ID_CHARS, where + ".id");
        Require.maxLength(p.text(), limits.maxTextChars(), where + ".text");
        for (Map.Entry<String, String> e : p.metadata().entrySet()) {
            checkKey(e.getKey());
            Require.maxLength(e.getValue(), MAX_METADATA_VALUE_CHARS, where + ".metadata['" + e.getKey() + "']");
        }
        return checkVector(p.vector(), spec, where + ".vector");
    }

    public static String checkKey(String key) {
        Require.nonBlank(key, "metadata key");
        return Require.maxLength(key, MAX_METADATA_KEY_CHARS, "metadata key");
    }

    /** Checks dimension and finiteness; returns the vector as indexed (unit length for cosine). */
    public static float[] checkVector(float[] v, CollectionSpec spec, String field) {
        // Messages are built only on failure: this runs per query and per point, and building one per
        // element was 5% of a search's time (bench/vector-search/README.md).
        if (v == null || v.length != spec.dimension()) {
            throw ServiceException.invalid(field + " has dimension " + (v == null ? 0 : v.length) + "; collection '"
                    + spec.name() + "' expects " + spec.dimension());
        }
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw ServiceException.invalid(field + "[" + i + "] is not a finite number");
            }
            norm += (double) v[i] * v[i];
        }
        if (spec.metric() != Metric.COSINE) {
            return v;
        }
        Require.that(norm > 0, field + " is the zero vector, which has no cosine similarity");
        float inv = (float) (1 / Math.sqrt(norm));
        float[] unit = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            unit[i] = v[i] * inv;
        }
        return unit;
    }

    /**
     * The metadata value as a finite number, or null: a plain decimal or integer, not "NaN", "Infinity" or
     * hex. Values that are numbers can be filtered by range.
     */
    public static Double asNumber(String value) {
        if (value.isEmpty() || value.length() > 64 || !NUMBER.matcher(value).matches()) {
            return null;
        }
        double d = Double.parseDouble(value);
        return Double.isFinite(d) ? d : null;
    }
}
