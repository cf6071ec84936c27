package io.ragsuite.orchestrator.rerank;

import io.ragsuite.orchestrator.retrieve.Passage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MmrRerankerTest {
    private static final String HASH = "A hash table maps keys to buckets with a hash function; collisions go to the next free bucket.";
    private static final List<Passage> CANDIDATES = List.of(
            new Passage("hash", 0, "Hash table", HASH, 0.90f),
            // The next chunk of the same document, nearly the same words (chunk overlap).
            new Passage("hash", 1, "Hash table", HASH + " Buckets hold pointers.", 0.88f),
            new Passage("tree", 0, "B-tree", "A B-tree keeps sorted keys in wide nodes so lookups touch few disk pages.", 0.80f),
            new Passage("gc", 0, "Garbage collection", "Garbage collection frees memory no longer reachable from the roots.", 0.40f));

    @Test
    void aNearCopyOfAPickedPassageMakesWayForADifferentOne() {
        List<Passage> picked = new MmrReranker(0.7, 3).select(CANDIDATES, 2);
        assertEquals(List.of("hash#0", "tree#0"), picked.stream().map(p -> p.documentId() + "#" + p.chunkIndex()).toList());
    }

    @Test
    void lambdaOneKeepsTheRetrievalOrderAndTheFirstPickIsAlwaysTheMostRelevant() {
        assertEquals(CANDIDATES.subList(0, 3), new MmrReranker(1.0, 3).select(CANDIDATES, 3));
        assertEquals(CANDIDATES.get(0), new MmrReranker(0.0, 3).select(CANDIDATES, 1).get(0));
    }

    @Test
    void fewerCandidatesThanTopKReturnsThemAllAndTheCandidateCountScales() {
        assertEquals(4, new MmrReranker(0.7, 3).select(CANDIDATES, 10).size());
        assertEquals(12, new MmrReranker(0.7, 3).candidates(4));
        assertThrows(IllegalArgumentException.class, () -> new MmrReranker(1.5, 3));
        assertThrows(IllegalArgumentException.class, () -> new MmrReranker(0.5, 0));
    }
}
