package io.ragsuite.vectorsearch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ragsuite.vectorsearch.core.RankFusion.Fused;
import io.ragsuite.vectorsearch.core.RankFusion.Fusion;
import io.ragsuite.vectorsearch.core.RankFusion.Scored;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three fusions on hand-computed rankings. */
class RankFusionTest {

    private static final List<Scored<String>> DENSE = List.of(
            new Scored<>("a", 0.9f), new Scored<>("b", 0.8f), new Scored<>("c", 0.5f));
    private static final List<Scored<String>> TEXT = List.of(
            new Scored<>("c", 12f), new Scored<>("d", 6f), new Scored<>("a", 3f));

    @Test
    void reciprocalRankFusionCountsOnlyRanks() {
        List<Fused<String>> fused = RankFusion.fuse(Fusion.RRF, DENSE, TEXT, 1, 1, 4);
        // a: 1/61 + 1/63; c: 1/63 + 1/61 (a tie, the dense order wins); b: 1/62; d: 1/62.
        assertEquals(List.of("a", "c", "b", "d"), keys(fused));
        assertEquals(1.0 / 61 + 1.0 / 63, fused.get(0).score(), 1e-7);
    }

    @Test
    void relativeScoreIsAWeightedSumOfMinMaxScores() {
        List<Fused<String>> fused = RankFusion.fuse(Fusion.RELATIVE_SCORE, DENSE, TEXT, 3, 1, 4);
        // Dense min-max: a 1, b 0.75, c 0; text: c 1, d 1/3, a 0. Weights 3/4 and 1/4.
        assertEquals(List.of("a", "b", "c", "d"), keys(fused));
        assertEquals(0.75, fused.get(0).score(), 1e-6);
        assertEquals(0.75 * 0.75, fused.get(1).score(), 1e-6);
        assertEquals(0.25, fused.get(2).score(), 1e-6);
        assertEquals(0.25 / 3, fused.get(3).score(), 1e-6);
    }

    @Test
    void distributionBasedFusionClipsToThreeStandardDeviations() {
        List<Fused<String>> fused = RankFusion.fuse(Fusion.DBSF, DENSE, List.of(), 1, 1, 3);
        double mean = (0.9 + 0.8 + 0.5) / 3;
        double sd = Math.sqrt((0.81 + 0.64 + 0.25) / 3 - mean * mean);
        double expectedA = 0.5 * (0.9 - (mean - 3 * sd)) / (6 * sd);
        assertEquals(List.of("a", "b", "c"), keys(fused));
        assertEquals(expectedA, fused.get(0).score(), 1e-5);
    }

    @Test
    void aSingleHitOrEqualScoresNormaliseToOne() {
        List<Fused<String>> fused = RankFusion.fuse(Fusion.RELATIVE_SCORE,
                List.of(new Scored<>("x", 0.3f)), List.of(new Scored<>("y", 2f), new Scored<>("z", 2f)), 1, 1, 3);
        assertEquals(0.5, fused.get(0).score(), 1e-6);
        assertEquals(0.5, fused.get(1).score(), 1e-6);
        assertEquals(0.5, fused.get(2).score(), 1e-6);
    }

    @Test
    void topKCutsTheFusedList() {
        assertEquals(2, RankFusion.fuse(Fusion.DBSF, DENSE, TEXT, 1, 1, 2).size());
    }

    private static List<String> keys(List<Fused<String>> fused) {
        return fused.stream().map(Fused::key).toList();
    }
}
