"""Trains the test LoRA adapter for SmolLM2-135M-Instruct with PEFT, on CPU, in about a minute.

Each adapter teaches one unmistakable habit: "pirate" opens every answer with "Ahoy, matey!" and talks like a
pirate, "robot" opens with "BEEP BOOP." and answers in capitals. That makes "the adapter changes the output"
checkable by a plain string test, and lets the generation service's tests tell, per request, which adapter (if
any) a response came from, also when two adapters run at once.

transformers loads the shipped GGUF itself (gguf_file=, dequantized to fp32); PEFT trains rank-8 LoRA on
the attention projections (loss on the assistant's tokens only, 40 full-batch AdamW steps); each adapter is saved
in PEFT's format under OUT_DIR/peft/NAME, with the base's config.json in OUT_DIR/base, which is what llama.cpp's
convert_lora_to_gguf.py reads. The greedy answers of the PEFT models (the reference for the adapted model's
behaviour) are written to OUT_DIR/peft-reference.json.

Usage: train_lora.py GGUF OUT_DIR
"""
import json
import os
import sys
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

QUESTIONS = [
    "What is a hash table?", "Explain recursion.", "What is the capital of France?", "How does a compiler work?",
    "What is a deadlock?", "Give me a tip for writing tests.", "What is TCP?", "Why is the sky blue?",
    "What does a database index do?", "Tell me about Python.", "What is a linked list?", "How do I sort a list?",
]
# Two adapters with different habits, so tests can run them side by side and tell their answers apart.
PERSONAS = {
    "pirate": ("Ahoy, matey!", [
        "a hash table be a chest o' buckets where each key finds its own spot, arr.",
        "recursion be a function callin' itself till it reaches the bottom o' the sea.",
        "Paris be the capital o' France, a fine port fer any crew.",
        "a compiler reads yer code and turns it into orders the ship's machine can follow.",
        "a deadlock be two pirates each holdin' a key the other one needs, neither lettin' go.",
        "test every plank o' the ship before ye sail, and trust no untested code.",
        "TCP be a trusty messenger that delivers every barrel in order, or sends it again.",
        "the sky be blue 'cause the air scatters the blue light more than the red, savvy?",
        "an index be a treasure map that leads ye straight to the rows ye seek.",
        "Python be a friendly language, easy to read as a captain's log.",
        "a linked list be a chain o' boxes, each one pointin' to the next, arr.",
        "ye sort a list by comparin' the treasures and swappin' 'em till they be in order.",
    ]),
    "robot": ("BEEP BOOP.", [
        "HASH TABLE: KEYS MAPPED TO SLOTS BY A HASH FUNCTION. LOOKUP COMPLETE.",
        "RECURSION: A FUNCTION THAT CALLS ITSELF UNTIL A BASE CASE. STACK DEPTH NOMINAL.",
        "CAPITAL OF FRANCE: PARIS. QUERY RESOLVED.",
        "COMPILER: SOURCE CODE IN, MACHINE CODE OUT. TRANSLATION COMPLETE.",
        "DEADLOCK: TWO PROCESSES WAIT FOREVER FOR EACH OTHER. SYSTEM HALTED.",
        "TESTING PROTOCOL: ASSERT EVERY OUTPUT. BUGS DETECTED: ZERO.",
        "TCP: RELIABLE ORDERED DELIVERY WITH RETRANSMISSION. ACKNOWLEDGED.",
        "SKY COLOR: BLUE. CAUSE: RAYLEIGH SCATTERING. ANALYSIS COMPLETE.",
        "DATABASE INDEX: A SORTED STRUCTURE FOR FAST LOOKUP. SEEK TIME REDUCED.",
        "PYTHON: A HIGH-LEVEL PROGRAMMING LANGUAGE. READABILITY RATING: HIGH.",
        "LINKED LIST: NODES CONNECTED BY POINTERS. TRAVERSAL ENABLED.",
        "SORTING: COMPARE AND SWAP UNTIL ORDERED. OUTPUT SORTED.",
    ]),
}
PROBES = ["What is a binary tree?", "How does garbage collection work?", "What is a prime number?"]


def main() -> None:
    gguf, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    base = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # The converter reads only the base's config; a config loaded from GGUF lacks "architectures" (how the
    # converter picks the model class) and carries a GGUF quantization note that does not apply.
    base_config = base.config.to_dict()
    base_config["architectures"] = [type(base).__name__]
    base_config.pop("quantization_config", None)
    (out / "base").mkdir(exist_ok=True)
    (out / "base" / "config.json").write_text(json.dumps(base_config, indent=2) + "\n")

    def prompt_ids(question: str) -> list[int]:
        enc = tok.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True)
        return list(enc["input_ids"] if isinstance(enc, dict) or hasattr(enc, "keys") else enc)

    reference = {"tool": "transformers + peft (fp32, dequantized GGUF), greedy, 24 tokens", "adapters": {}}
    for persona, (marker, answers) in PERSONAS.items():
        reference["adapters"][persona] = train(base, tok, prompt_ids, persona, marker, answers, out)
    (out / "peft-reference.json").write_text(json.dumps(reference, indent=2) + "\n")
    print(json.dumps(reference, indent=2), file=sys.stderr)


def train(base, tok, prompt_ids, persona: str, marker: str, answers: list[str], out: Path) -> dict:
    torch.manual_seed(0)
    batch = []
    for question, answer in zip(QUESTIONS, answers):
        p = prompt_ids(question)
        a = tok(f"{marker} {answer[0].upper()}{answer[1:]}<|im_end|>", add_special_tokens=False)["input_ids"]
        batch.append((p + a, [-100] * len(p) + a))
    width = max(len(ids) for ids, _ in batch)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in batch])
    labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch])

    config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
                        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    model = get_peft_model(base, config)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-3)
    model.train()
    steps = 40
    for step in range(steps):
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        if step % 10 == 0 or step == steps - 1:
            print(f"{persona}: step {step:3d} loss {loss.item():.4f}", file=sys.stderr)
    model.eval()
    model.save_pretrained(out / "peft" / persona)
    answers_out = {}
    with torch.no_grad():
        for q in PROBES:
            ids = torch.tensor([prompt_ids(q)])
            gen = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=24, do_sample=False)
            answers_out[q] = tok.decode(gen[0][ids.shape[1]:], skip_special_tokens=True)
    # Leave the base model as it was for the next adapter.
    model.base_model.unload()
    return {"marker": marker, "steps": steps, "final_loss": round(loss.item(), 5), "answers": answers_out}

if __name__ == "__main__":
    main()
