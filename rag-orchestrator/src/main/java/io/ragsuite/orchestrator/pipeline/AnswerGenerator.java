package io.ragsuite.orchestrator.pipeline;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Port to the generation stage. */
public interface AnswerGenerator {
    /**
     * Generates an answer to a built prompt.
     *
     * @param onDelta receives the text as it is generated (streaming callers); may ignore it
     */
    CompletionStage<Answer> generate(List<PromptMessage> messages, int maxTokens, Consumer<String> onDelta);

    record PromptMessage(String role, String content) {
    }

    record Answer(String text, String model, String finishReason) {
    }
}
