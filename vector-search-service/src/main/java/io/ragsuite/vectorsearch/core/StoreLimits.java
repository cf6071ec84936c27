package io.ragsuite.vectorsearch.core;

/**
 * Server limits, all configurable.
 *
 * @param maxDimension largest vector dimension a collection may have
 * @param maxTopK      largest top_k a search may ask for
 * @param maxBatch     most points in one upsert, get or delete
 * @param maxTextChars longest text stored with a point
 */
public record StoreLimits(int maxDimension, int maxTopK, int maxBatch, int maxTextChars) {
}
