#!/usr/bin/env python3
"""Greedy continuations of llama.cpp itself (through llama-cpp-python) for the golden test: 20 chat prompts,
64 tokens each, temperature 0, on the shipped GGUF. Each prompt is rendered with the chat template stored in
the GGUF (jinja2 with trim_blocks and lstrip_blocks, as transformers does), and that exact text is continued. GreedyGoldenTest checks that our
engine renders the same prompt text and (when enabled) continues it the same way.

The text depends on the CPU: llama.cpp is built with native instructions and picks its kernels by them, and
greedy choices of this small model flip at near ties. So the output names the CPU and the instruction set
(scripts/native-isa.sh) it was made with, and ./rag test makes one for the host it runs on.

Usage: greedy.py MODEL.gguf [NATIVE_ISA [FLASH_ATTENTION]] > greedy-smollm2.json   (FLASH_ATTENTION: on or off,
default off; llama.cpp's fused attention kernel sums in another order, so its greedy text differs)
"""
import importlib.metadata
import json
import sys

import jinja2
from llama_cpp import Llama

PROMPTS = [
    "What is the capital of France?",
    "Name three primary colours.",
    "Explain what a hash table is in one sentence.",
    "Write a haiku about the sea.",
    "What is 12 times 12?",
    "Give me a synonym for happy.",
    "What does CPU stand for?",
    "Translate 'good morning' into Spanish.",
    "List the days of the week.",
    "Why is the sky blue?",
    "What is the boiling point of water in Celsius?",
    "Describe a cat in five words.",
    "Who wrote Romeo and Juliet?",
    "What is photosynthesis?",
    "Suggest a name for a pet goldfish.",
    "What is the largest planet in the solar system?",
    "How many legs does a spider have?",
    "What is the opposite of cold?",
    "Write one sentence about Linux.",
    "What is a vector database?",
]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown")
    except OSError:
        return "unknown"


def main():
    flash = len(sys.argv) > 3 and sys.argv[3] == "on"
    llm = Llama(model_path=sys.argv[1], n_ctx=2048, n_threads=2, seed=0, flash_attn=flash, verbose=False)
    template = jinja2.Environment(loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True).from_string(llm.metadata["tokenizer.chat_template"])
    out = []
    for prompt in PROMPTS:
        rendered = template.render(messages=[{"role": "user", "content": prompt}], add_generation_prompt=True)
        llm.reset()
        r = llm.create_completion(prompt=llm.tokenize(rendered.encode("utf-8"), add_bos=False, special=True),
                                  max_tokens=64, temperature=0.0, top_k=1, repeat_penalty=1.0)
        out.append({"prompt": prompt, "rendered_prompt": rendered, "text": r["choices"][0]["text"],
                    "finish_reason": r["choices"][0]["finish_reason"],
                    "completion_tokens": r["usage"]["completion_tokens"]})
    json.dump({"reference": f"llama-cpp-python {importlib.metadata.version('llama_cpp_python')}",
               "settings": "chat template from the GGUF rendered by jinja2, max_tokens 64, temperature 0 (greedy)",
               "cpu": cpu_model(), "native_isa": sys.argv[2] if len(sys.argv) > 2 else "unknown",
               "flash_attention": flash,
               "continuations": out}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
