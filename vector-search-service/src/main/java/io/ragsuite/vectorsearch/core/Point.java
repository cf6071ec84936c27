package io.ragsuite.vectorsearch.core;

import java.util.Map;

/**
 * A stored item.
 *
 * @param vector may be null in results when vectors were not asked for
 */
public record Point(String id, float[] vector, String text, Map<String, String> metadata) {
    public Point {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        text = text == null ? "" : text;
    }
}
