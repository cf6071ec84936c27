package io.ragsuite.orchestrator.generate;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Port to the generation stage. */
public interface AnswerGenerator {
    /**
     * Generates an answer to a built prompt.
     *
     * @param onDelta receives the text as it is generated (streaming callers); may ignore it. An exception it
     *                throws cancels the generation (a client that went away frees its slot).
     */
    CompletionStage<Answer> generate(List<PromptMessage> messages, Options options, Consumer<String> onDelta);

    record PromptMessage(String role, String content) {
    }

    /**
     * @param maxTokens   most tokens to generate
     * @param temperature 0 is greedy
     * @param seed        null: random
     * @param model       base model or LoRA adapter; "" for the stage's default
     */
    record Options(int maxTokens, float temperature, Long seed, String model) {
    }

    /** @param finishReason "stop" or "length" */
    record Answer(String text, String model, String finishReason, Usage usage) {
    }

    record Usage(int promptTokens, int completionTokens) {
        public static final Usage NONE = new Usage(0, 0);
    }
}
