package io.ragsuite.orchestrator.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Markers read back from answers the way models write them. */
class CitationsTest {
    @Test
    void singleListsRangesAndAdjacentMarkersInOrderOfFirstUse() {
        assertEquals(List.of(2), Citations.markers("Hash tables map keys to buckets [2].", 4));
        assertEquals(List.of(3, 1), Citations.markers("Both [3, 1] say so; see also [1].", 4));
        assertEquals(List.of(1, 2), Citations.markers("It is fast[1][2].", 4));
        assertEquals(List.of(2, 3, 4), Citations.markers("As [2-4] explain.", 4));
        assertEquals(List.of(2, 3), Citations.markers("As [2\u20133] explain.", 4));
        assertEquals(List.of(1, 4), Citations.markers("[ 1 ,4 ]", 4));
    }

    @Test
    void markersWithNoPassageBehindThemAreNotCitations() {
        assertEquals(List.of(), Citations.markers("The passages do not say.", 4));
        assertEquals(List.of(), Citations.markers("See [7] and [0].", 4));
        assertEquals(List.of(1), Citations.markers("See [1] and [5].", 4));
        assertEquals(List.of(), Citations.markers("An array a[i] or [x] is no marker.", 4));
        assertEquals(List.of(), Citations.markers("[1-999] is not 999 citations.", 4));
        assertEquals(List.of(), Citations.markers("Anything [1].", 0));
    }
}
