package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How token bytes become streamed text: characters split across tokens, and stop strings across pieces. */
class StreamedTextTest {
    @Test
    void aCharacterSplitAcrossTokensIsSentWhole() {
        byte[] e = "é€😀".getBytes(StandardCharsets.UTF_8);  // 2 + 3 + 4 bytes
        LlamaCppEngine.Utf8Pieces text = new LlamaCppEngine.Utf8Pieces();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < e.length; i++) {
            String piece = text.add(Arrays.copyOfRange(e, i, i + 1));
            assertFalse(piece.contains("\uFFFD"), "no half character at byte " + i);
            out.append(piece);
        }
        assertEquals("é€😀", out.toString());
        assertEquals("", text.flush());
    }

    @Test
    void anUnfinishedCharacterAtTheEndBecomesAReplacement() {
        LlamaCppEngine.Utf8Pieces text = new LlamaCppEngine.Utf8Pieces();
        assertEquals("a", text.add(new byte[] {'a', (byte) 0xE2, (byte) 0x82}));
        assertEquals("\uFFFD", text.flush());
    }

    @Test
    void completePrefixStopsBeforeAnUnfinishedCharacter() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, LlamaCppEngine.Utf8Pieces.completePrefix(Arrays.copyOf(euro, 2)));
        assertEquals(3, LlamaCppEngine.Utf8Pieces.completePrefix(euro));
        assertEquals(1, LlamaCppEngine.Utf8Pieces.completePrefix(new byte[] {'x', (byte) 0xF0}));
    }

    @Test
    void textThatMayStartAStopStringWaitsAndTheStopStringIsNotSent() {
        LlamaCppEngine.StopStrings stops = new LlamaCppEngine.StopStrings(List.of("\nUser:"));
        assertEquals("Paris is", stops.add("Paris is"));
        assertEquals(" the capital.", stops.add(" the capital.\n"));
        assertEquals("", stops.add("Us"));
        assertFalse(stops.stopped());
        assertEquals("", stops.add("er: and"));
        assertTrue(stops.stopped());
        assertEquals("", stops.add(" more"));
    }

    @Test
    void heldTextThatNeverBecameAStopStringIsSentAtTheEnd() {
        LlamaCppEngine.StopStrings stops = new LlamaCppEngine.StopStrings(List.of("###"));
        assertEquals("a ", stops.add("a #"));
        assertEquals("", stops.add("#"));
        assertEquals("## b", stops.add(" b"));
        assertFalse(stops.stopped());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        LlamaCppEngine.StopStrings stops = new LlamaCppEngine.StopStrings(List.of("END", "."));
        assertEquals("one", stops.add("one. END"));
        assertTrue(stops.stopped());
    }

    @Test
    void flushSendsWhatWasHeldBack() {
        LlamaCppEngine.StopStrings stops = new LlamaCppEngine.StopStrings(List.of("\n\n"));
        assertEquals("done", stops.add("done\n"));
        assertEquals("\n", stops.flush(""));
    }
}
