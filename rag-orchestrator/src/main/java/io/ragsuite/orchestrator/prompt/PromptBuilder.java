package io.ragsuite.orchestrator.prompt;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.retrieve.Passage;

import java.util.List;

/** Stage 3: turns a question and its passages into chat messages for the model. */
public interface PromptBuilder {
    BuiltPrompt build(String question, List<Passage> passages);

    /**
     * @param used    the passages that made it into the prompt, in the order of their markers [1], [2], ...
     * @param dropped passages left out to keep within the budget
     */
    record BuiltPrompt(List<AnswerGenerator.PromptMessage> messages, List<Passage> used, List<Passage> dropped) {
    }
}
