package io.ragsuite.orchestrator.prompt;

import io.ragsuite.orchestrator.retrieve.Passage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultPromptBuilderTest {
    private static Passage passage(String doc, int chars) {
        return new Passage(doc, 0, "Title " + doc, "y".repeat(chars), 0.5f);
    }

    @Test
    void numbersPassagesAndKeepsWithinTheBudget() {
        PromptBuilder.BuiltPrompt p = new DefaultPromptBuilder(500)
                .build("Why?", List.of(passage("a", 200), passage("b", 200), passage("c", 200)));
        assertEquals(List.of("a", "b"), p.used().stream().map(Passage::documentId).toList());
        assertEquals(List.of("c"), p.dropped().stream().map(Passage::documentId).toList());
        assertEquals("system", p.messages().get(0).role());
        String user = p.messages().get(1).content();
        assertTrue(user.contains("[1] Title a: ") && user.contains("[2] Title b: ") && !user.contains("[3]"), user);
        assertTrue(user.endsWith("Question: Why?"), user);
    }

    @Test
    void aSinglePassageOverTheBudgetIsCutNotDropped() {
        PromptBuilder.BuiltPrompt p = new DefaultPromptBuilder(100).build("Why?", List.of(passage("big", 1000)));
        assertEquals(1, p.used().size());
        assertTrue(p.messages().get(1).content().length() < 200);
    }

    @Test
    void noPassagesIsSaidPlainly() {
        PromptBuilder.BuiltPrompt p = new DefaultPromptBuilder(100).build("Why?", List.of());
        assertTrue(p.messages().get(1).content().startsWith("There are no passages."));
    }
}
