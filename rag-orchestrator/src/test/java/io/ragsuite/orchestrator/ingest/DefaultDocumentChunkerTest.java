package io.ragsuite.orchestrator.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultDocumentChunkerTest {
    @Test
    void chunksStayUnderTheSizeAndCoverTheText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Sentence number ").append(i).append(" talks about topic ").append(i % 7).append(". ");
            if (i % 10 == 9) {
                text.append("\n\n");
            }
        }
        List<String> chunks = new DefaultDocumentChunker(300, 50).chunk(text.toString());
        assertTrue(chunks.size() > 5, "chunks: " + chunks.size());
        chunks.forEach(c -> assertTrue(c.length() <= 300, c.length() + " chars"));
        for (int i = 0; i < 60; i++) {
            String sentence = "Sentence number " + i + " ";
            assertTrue(chunks.stream().anyMatch(c -> c.contains(sentence)), "lost: " + sentence);
        }
    }

    @Test
    void shortTextIsOneChunk() {
        assertEquals(List.of("A short note."), new DefaultDocumentChunker(300, 50).chunk("A short note."));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DefaultDocumentChunker(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new DefaultDocumentChunker(300, 300));
    }
}
