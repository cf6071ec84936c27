package io.ragsuite.vectorsearch.core;

/** A search hit, with its score in the collection's metric. */
public record ScoredPoint(Point point, float score) {
}
