package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The engine's thread defaults: decode on half the processors (at least one), prefill on all; configured counts win. */
class EngineThreadsTest {
    @Test
    void decodeDefaultsToHalfTheProcessorsAndAtLeastOne() {
        assertEquals(1, EngineThreads.decode(0, 1));
        assertEquals(1, EngineThreads.decode(0, 2), "2 CPUs: 1 decode thread, which keeps its speed when a core is busy");
        assertEquals(2, EngineThreads.decode(0, 4));
        assertEquals(2, EngineThreads.decode(0, 5));
        assertEquals(8, EngineThreads.decode(0, 16));
    }

    @Test
    void prefillDefaultsToEveryProcessor() {
        assertEquals(1, EngineThreads.prefill(0, 1));
        assertEquals(2, EngineThreads.prefill(0, 2));
        assertEquals(16, EngineThreads.prefill(0, 16));
    }

    @Test
    void configuredCountsAreKeptAndNegativeOnesRefused() {
        assertEquals(2, EngineThreads.decode(2, 2));
        assertEquals(6, EngineThreads.decode(6, 2));
        assertEquals(1, EngineThreads.prefill(1, 8));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineThreads.decode(-1, 4)).getMessage()
                .contains("rag.generation.threads "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineThreads.prefill(-2, 4)).getMessage()
                .contains("rag.generation.threads-batch"));
    }
}
