package io.ragsuite.vectorsearch.core;

import java.util.List;
import java.util.Set;

/** A condition on point metadata, evaluated inside the index (see {@link LuceneQueries}). */
public sealed interface MetadataFilter {
    /** The value under {@code key} is one of {@code anyOf}. */
    record Match(String key, Set<String> anyOf) implements MetadataFilter {
    }

    /**
     * The value under {@code key}, read as a number, lies within the bounds (null bounds are open). Values
     * that do not parse as numbers never match.
     */
    record Range(String key, Double gte, Double gt, Double lte, Double lt) implements MetadataFilter {
    }

    /** All of {@code must}, at least one of {@code should} if any, none of {@code mustNot}. */
    record Bool(List<MetadataFilter> must, List<MetadataFilter> should, List<MetadataFilter> mustNot)
            implements MetadataFilter {
        public boolean isEmpty() {
            return must.isEmpty() && should.isEmpty() && mustNot.isEmpty();
        }
    }
}
