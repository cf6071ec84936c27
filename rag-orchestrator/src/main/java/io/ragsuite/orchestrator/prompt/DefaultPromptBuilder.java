package io.ragsuite.orchestrator.prompt;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.retrieve.Passage;

import java.util.ArrayList;
import java.util.List;

/**
 * Numbers the passages [1], [2], ... in a user message under a system instruction to answer from them
 * and cite them. Passages are added best first until the character budget is reached, so the prompt
 * always fits the generation model's context; the ones left out are reported.
 */
public final class DefaultPromptBuilder implements PromptBuilder {
    static final String SYSTEM = "You are a helpful assistant. Answer the question using only the numbered passages. "
            + "Cite the passages you use like [1]. If the passages do not contain the answer, say you do not know.";

    private final int contextChars;

    /** @param contextChars most characters of passage text put into the prompt */
    public DefaultPromptBuilder(int contextChars) {
        this.contextChars = contextChars;
    }

    @Override
    public BuiltPrompt build(String question, List<Passage> passages) {
        List<Passage> used = new ArrayList<>();
        List<Passage> dropped = new ArrayList<>();
        StringBuilder context = new StringBuilder();
        for (Passage p : passages) {
            String entry = "[" + (used.size() + 1) + "] " + (p.title().isEmpty() ? "" : p.title() + ": ") + p.text().strip() + "\n\n";
            if (context.length() + entry.length() > contextChars && !used.isEmpty()) {
                dropped.add(p);
                continue;
            }
            if (entry.length() > contextChars) {
                // A single passage over the budget is cut rather than leaving the model without context.
                entry = entry.substring(0, contextChars) + "\n\n";
            }
            context.append(entry);
            used.add(p);
        }
        String user = (used.isEmpty() ? "There are no passages.\n\n" : "Passages:\n\n" + context)
                + "Question: " + question.strip();
        return new BuiltPrompt(List.of(new AnswerGenerator.PromptMessage("system", SYSTEM),
                new AnswerGenerator.PromptMessage("user", user)), used, dropped);
    }
}
