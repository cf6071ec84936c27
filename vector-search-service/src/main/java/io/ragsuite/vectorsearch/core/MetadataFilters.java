package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;

/** Checks a filter once, before a backend translates it, so every backend rejects the same filters. */
public final class MetadataFilters {
    public static final int MAX_DEPTH = 8;

    private MetadataFilters() {
    }

    /** The filter if it restricts anything, null if it accepts every point; INVALID_ARGUMENT if malformed. */
    public static MetadataFilter checked(MetadataFilter filter) {
        if (filter == null || filter instanceof MetadataFilter.Bool b && b.isEmpty()) {
            return null;
        }
        check(filter, 0);
        return filter;
    }

    private static void check(MetadataFilter filter, int depth) {
        Require.that(depth <= MAX_DEPTH, "filter is nested deeper than " + MAX_DEPTH + " levels");
        switch (filter) {
            case MetadataFilter.Match match -> {
                PointChecks.checkKey(match.key());
                Require.that(!match.anyOf().isEmpty(), "match on '" + match.key() + "' needs at least one value");
            }
            case MetadataFilter.Range range -> {
                PointChecks.checkKey(range.key());
                Require.that(range.gte() != null || range.gt() != null || range.lte() != null || range.lt() != null,
                        "range on '" + range.key() + "' needs at least one bound");
                Require.that(range.gte() == null || range.gt() == null, "range: set gte or gt, not both");
                Require.that(range.lte() == null || range.lt() == null, "range: set lte or lt, not both");
                for (Double bound : new Double[] {range.gte(), range.gt(), range.lte(), range.lt()}) {
                    Require.that(bound == null || !bound.isNaN(), "range bounds must be numbers");
                }
            }
            case MetadataFilter.Bool bool -> {
                Require.that(!bool.isEmpty(), "a nested filter must hold at least one condition");
                bool.must().forEach(f -> check(f, depth + 1));
                bool.should().forEach(f -> check(f, depth + 1));
                bool.mustNot().forEach(f -> check(f, depth + 1));
            }
        }
    }
}
