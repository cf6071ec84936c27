package io.ragsuite.vectorsearch.core;

import java.util.List;
import java.util.Map;

/**
 * One collection of points. Every write is durable when the call returns (the backend's commit has
 * completed) and a batch is applied as a unit; requests that fail validation write nothing.
 */
public interface VectorCollection {
    /** Points per scroll page when the request sets none. */
    int DEFAULT_SCROLL_LIMIT = 100;

    CollectionSpec spec();

    /** Live points. */
    long count();

    /** Points matching {@code filter} (all points for null). */
    long count(MetadataFilter filter);

    /** Inserts or replaces points by id; returns how many were written. */
    int upsert(List<Point> points);

    /** The points with these ids that exist, in no particular order. */
    List<Point> get(List<String> ids, boolean withVectors);

    /** Deletes by id; returns how many existed. */
    long deleteIds(List<String> ids);

    /** Deletes every point matching a non-empty filter; returns how many. */
    long deleteMatching(MetadataFilter filter);

    /**
     * Dense, BM25 or hybrid search (see {@link SearchQuery}), best first. Dense scores are in the metric's
     * terms, text scores are the backend's text ranking, hybrid scores are the fused reciprocal-rank scores.
     */
    List<ScoredPoint> search(SearchQuery query);

    /** Dense search for the {@code topK} nearest points matching {@code filter}. */
    default List<ScoredPoint> search(float[] vector, int topK, MetadataFilter filter, boolean withVectors) {
        return search(SearchQuery.dense(vector, topK).withFilter(filter).withVectors(withVectors));
    }

    /**
     * One page of points matching {@code filter}, in id order (bytewise), after {@code afterId} (null or
     * empty: from the start); {@code limit} 0 means {@link #DEFAULT_SCROLL_LIMIT}.
     */
    ScrollPage scroll(MetadataFilter filter, int limit, String afterId, boolean withVectors);

    /**
     * Compacts the collection after a bulk load so searches touch one graph (lucene: merge all segments;
     * pgvector: VACUUM ANALYZE). Searches and writes go on meanwhile.
     */
    Optimized optimize();

    /** What {@link #optimize()} did: index segments before and after (always 1 for pgvector), and how long. */
    record Optimized(int segmentsBefore, int segmentsAfter, long millis) {
    }

    /** Bytes the collection takes on disk. */
    long diskBytes();

    /**
     * Bytes a search keeps in memory to run at full speed (the searched vectors and the graph), whether or
     * not they are resident right now; what to size a node's RAM by.
     */
    long searchMemoryBytes();

    /** Bytes on disk per part (names depend on the backend: vectors, graph, text index, other). */
    Map<String, Long> bytesByPart();
}
