package io.ragsuite.generation.core;

/**
 * The outcome of one generation.
 *
 * @param finishReason "stop" (end of sequence or a stop string), "length" (max tokens reached) or "cancelled"
 * @param model        the base model's served name
 * @param adapter      the LoRA adapter applied, or null
 * @param decodeUs     from the first generated token to the last (inter-token time summed)
 */
public record GenerationResult(String text, String finishReason, int promptTokens, int completionTokens, String model,
        String adapter, long queueUs, long computeUs, long totalUs, long timeToFirstTokenUs, long decodeUs) {
    /** The name the client selected: the adapter when one was applied, else the model. */
    public String servedName() {
        return adapter != null ? adapter : model;
    }
}
