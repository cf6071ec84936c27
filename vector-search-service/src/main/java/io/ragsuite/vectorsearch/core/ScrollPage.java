package io.ragsuite.vectorsearch.core;

import java.util.List;

/**
 * A page of a scroll.
 *
 * @param nextAfterId the id to continue after, or null when this was the last page
 */
public record ScrollPage(List<Point> points, String nextAfterId) {
    /** A page of at most {@code pageSize}: a full page may be followed by more (the next page tells). */
    public static ScrollPage of(List<Point> points, int pageSize) {
        return new ScrollPage(points, points.size() < pageSize ? null : points.get(points.size() - 1).id());
    }
}
