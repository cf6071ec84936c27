package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;
import java.util.Map;

/**
 * A stored item.
 *
 * @param vector may be null in results when vectors were not asked for
 */
public record Point(String id, float[] vector, String text, Map<String, String> metadata) {
    public Point {
        if (metadata != null) {
            metadata.forEach((key, value) -> Require.that(key != null && value != null,
                    "point '" + id + "': metadata keys and values must not be null"));
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        text = text == null ? "" : text;
    }
}
