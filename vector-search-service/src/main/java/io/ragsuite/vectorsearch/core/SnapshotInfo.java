package io.ragsuite.vectorsearch.core;

import java.time.Instant;

/**
 * A stored snapshot of a collection.
 *
 * @param collection the collection it was taken from
 * @param id         its name, unique per collection, sortable by time
 * @param createdAt  when it was taken
 * @param pointCount points in it
 * @param sizeBytes  bytes on disk
 */
public record SnapshotInfo(String collection, String id, Instant createdAt, long pointCount, long sizeBytes) {
}
