package io.ragsuite.generation;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** {@link GreedyGoldenTest}'s checks with flash attention off, against llama.cpp's text without it. */
@QuarkusTest
@TestProfile(GreedyGoldenFlashOffTest.OneSlotFlashOff.class)
class GreedyGoldenFlashOffTest extends GreedyGoldenTest {
    public static class OneSlotFlashOff extends GreedyGoldenTest.OneSlot {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rag.generation.slots", "1", "rag.generation.flash-attention", "false");
        }
    }
}
