package io.ragsuite.generation.core;

import java.nio.file.Path;

/**
 * A LoRA adapter served on top of a base model: selected per request by {@code name} (the request's model
 * field, as vLLM's multi-LoRA serving does), applied with {@code scale}, never merged into the base weights.
 *
 * @param path a GGUF LoRA file (llama.cpp's convert_lora_to_gguf.py output), checked by {@link WeightFiles}
 */
public record LoraAdapter(String name, Path path, float scale) {
}
