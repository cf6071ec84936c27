package io.ragsuite.vectorsearch.core;

import java.util.List;
import java.util.Set;

/** A condition on point metadata, evaluated inside the index by each backend (checked by {@link MetadataFilters}). */
public sealed interface MetadataFilter {
    /** The value under {@code key} is one of {@code anyOf}. */
    record Match(String key, Set<String> anyOf) implements MetadataFilter {
    }

    /**
     * The value under {@code key}, read as a number, lies within the bounds (null bounds are open). Values
     * that do not parse as numbers never match.
     */
    record Range(String key, Double gte, Double gt, Double lte, Double lt) implements MetadataFilter {
        /** The smallest value in range (inclusive); minus infinity when open. */
        public double lowerBound() {
            return gte != null ? gte : gt != null ? Math.nextUp(gt) : Double.NEGATIVE_INFINITY;
        }

        /** The largest value in range (inclusive); infinity when open. */
        public double upperBound() {
            return lte != null ? lte : lt != null ? Math.nextDown(lt) : Double.POSITIVE_INFINITY;
        }
    }

    /** All of {@code must}, at least one of {@code should} if any, none of {@code mustNot}. */
    record Bool(List<MetadataFilter> must, List<MetadataFilter> should, List<MetadataFilter> mustNot)
            implements MetadataFilter {
        public boolean isEmpty() {
            return must.isEmpty() && should.isEmpty() && mustNot.isEmpty();
        }
    }
}
