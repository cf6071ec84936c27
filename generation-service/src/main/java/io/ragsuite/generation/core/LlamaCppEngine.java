package io.ragsuite.generation.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import java.lang.System.Logger.Level;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp in-process through the {@code de.kherud:llama} JNI binding. The binding embeds llama.cpp's
 * server loop: {@code slots} sequences share one context with continuous batching, so requests that
 * arrive while others decode join the next decode step instead of waiting for them to finish.
 *
 * <p>LoRA adapters are loaded with the base model but applied to no one ({@code --lora-init-without-apply});
 * each request names the one it wants and llama.cpp sets that adapter's scale for that sequence only. Slots
 * with the same adapter decode in one batch; llama.cpp cannot mix adapters inside one batch, so the scheduler
 * runs one adapter group at a time ({@link AdapterGate}).
 */
public final class LlamaCppEngine implements GenerationEngine {
    private static final System.Logger LOG = System.getLogger(LlamaCppEngine.class.getName());
    private static final String NATIVE_DIR_PROPERTY = "de.kherud.llama.tmpdir";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the engine runs.
     *
     * @param slots          sequences decoded together (continuous batching); the context is split between them
     * @param contextPerSlot tokens of each slot (prompt and answer)
     * @param decodeThreads  CPU threads of decode steps; {@code prefillThreads} of prompt processing (both
     *                       positive: {@link EngineThreads} chooses them)
     * @param cachePrompt    keep each slot's last prompt in its KV cache and evaluate only what a new prompt does
     *                       not share with it (llama.cpp's {@code cache_prompt}): the shared system prompt and
     *                       instructions are evaluated once per slot, not once per request; not for greedy
     *                       requests (temperature 0), which must be repeatable
     * @param flashAttention llama.cpp's fused attention kernel ({@code --flash-attn})
     */
    public record Settings(int slots, int contextPerSlot, int decodeThreads, int prefillThreads, boolean cachePrompt,
            boolean flashAttention) {
    }

    private final String name;
    private final int slots;
    private final int contextPerSlot;
    private final boolean cachePrompt;
    private final LlamaModel model;
    /** The GGUF's own Jinja chat template, or null to use llama.cpp's template handling. */
    private final ChatTemplate chatTemplate;
    private final List<LoraAdapter> adapters;

    /**
     * @param chatTemplate the GGUF's {@code tokenizer.chat_template} (see {@link GgufHeader}); rendered with
     *                     Jinja as transformers does, since llama.cpp's built-in template matching drops parts of
     *                     some templates (SmolLM2's default system prompt); null uses llama.cpp's
     * @param adapters     LoRA adapters (already checked by {@link WeightFiles#checkAdapter}) requests may select
     */
    public LlamaCppEngine(String name, Path gguf, Settings settings, String chatTemplate, List<LoraAdapter> adapters) {
        this.name = name;
        this.adapters = List.copyOf(adapters);
        this.chatTemplate = chatTemplate == null || chatTemplate.isBlank() ? null : new ChatTemplate(chatTemplate);
        this.slots = settings.slots();
        this.contextPerSlot = settings.contextPerSlot();
        this.cachePrompt = settings.cachePrompt();
        usePrivateNativeLibraryDir();
        LlamaModel.setLogger(LogFormat.TEXT, LlamaCppEngine::log);
        ModelParameters params = new ModelParameters()
                .setModel(gguf.toString())
                // llama.cpp splits the context evenly between the slots.
                .setCtxSize(contextPerSlot * slots)
                .setParallel(slots)
                .enableContBatching()
                .setThreads(settings.decodeThreads())
                .setThreadsBatch(settings.prefillThreads());
        if (settings.flashAttention()) {
            params.enableFlashAttn();
        }
        if (this.adapters.isEmpty()) {
            this.model = new LlamaModel(params);
        } else {
            params.setLoraInitWithoutApply();
            List<String> loras = new ArrayList<>();
            for (LoraAdapter a : this.adapters) {
                loras.add("--lora");
                loras.add(a.path().toString());
            }
            this.model = LlamaCppBinding.load(params, loras);
        }
    }

    /**
     * The binding extracts its native library to {@code java.io.tmpdir/libjllama.so}, one fixed path for every
     * process on the machine; two services starting at once would overwrite each other's file. Give this
     * process its own folder unless one was configured.
     */
    private static synchronized void usePrivateNativeLibraryDir() {
        if (System.getProperty(NATIVE_DIR_PROPERTY) == null) {
            try {
                Path dir = Files.createTempDirectory("jllama-");
                dir.toFile().deleteOnExit();
                System.setProperty(NATIVE_DIR_PROPERTY, dir.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a folder for llama.cpp's native library", e);
            }
        }
    }

    private static void log(LogLevel level, String message) {
        Level mapped = switch (level) {
            case ERROR -> Level.ERROR;
            case WARN -> Level.WARNING;
            // llama.cpp is chatty at INFO (one line per slot event); keep it out of the service log.
            case INFO, DEBUG -> Level.DEBUG;
        };
        LOG.log(mapped, () -> "llama.cpp: " + message.strip());
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public String backend() {
        return "llama.cpp";
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int contextPerSlot() {
        return contextPerSlot;
    }

    @Override
    public boolean batchesAcrossAdapters() {
        return false;
    }

    @Override
    public List<LoraAdapter> adapters() {
        return adapters;
    }

    @Override
    public Prompt prompt(List<ChatTurn> turns) {
        String text = renderPrompt(turns);
        return new Prompt(turns, text, model.encode(text).length);
    }

    /** Applies the model's chat template (from its GGUF metadata). */
    private String renderPrompt(List<ChatTurn> turns) {
        if (chatTemplate != null) {
            return chatTemplate.render(turns);
        }
        String system = "";
        List<Pair<String, String>> rest = new ArrayList<>();
        for (ChatTurn turn : turns) {
            if (turn.role().equals("system") && rest.isEmpty() && system.isEmpty()) {
                system = turn.content();
            } else {
                rest.add(new Pair<>(turn.role(), turn.content()));
            }
        }
        InferenceParameters forTemplate = new InferenceParameters("").setMessages(system.isEmpty() ? null : system, rest);
        return model.applyTemplate(forTemplate);
    }

    @Override
    public Completion complete(Prompt prompt, Sampling sampling, String adapter, TokenListener listener) {
        InferenceParameters params = new InferenceParameters(prompt.text())
                .setNPredict(sampling.maxTokens())
                .setTemperature(sampling.temperature())
                .setTopP(sampling.topP())
                .setTopK(sampling.topK())
                .setMinP(sampling.minP())
                .setRepeatPenalty(sampling.repetitionPenalty())
                // Greedy requests evaluate their whole prompt: llama.cpp does not promise bit-identical logits between
                // prompt processing and single-token steps, so a prompt resumed from the cache can flip a near tie,
                // and temperature 0 must give the same answer every time (its server documents the same caveat).
                .setCachePrompt(cachePrompt && sampling.temperature() > 0);
        if (sampling.seed() != null) {
            params.setSeed(sampling.seed());
        }
        if (!sampling.stop().isEmpty()) {
            params.setStopStrings(sampling.stop().toArray(String[]::new));
        }
        if (sampling.ignoreEos()) {
            params.setIgnoreEos(true);
        }
        if (sampling.grammar() != null) {
            params.setGrammar(sampling.grammar());
        }
        if (sampling.jsonSchema() != null) {
            // llama.cpp turns the schema into a grammar (its json-schema-to-grammar), as its server does.
            LlamaCppBinding.putJson(params, "json_schema", sampling.jsonSchema());
        }
        if (adapter != null && adapters.stream().noneMatch(a -> a.name().equals(adapter))) {
            throw ServiceException.notFound("model " + name + " has no LoRA adapter '" + adapter + "'");
        }
        if (!adapters.isEmpty()) {
            LlamaCppBinding.putJson(params, "lora", loraScales(adapter));
        }
        int pieces = 0;
        int tokens = 0;
        try {
            LlamaIterator it = model.generate(params).iterator();
            while (it.hasNext()) {
                LlamaOutput out = it.next();
                // One output per generated token, some with no text (special tokens such as an ignored
                // end-of-sequence); the last one closes the stream and carries a token only if it has text.
                if (it.hasNext() || !out.text.isEmpty()) {
                    tokens++;
                }
                if (out.text.isEmpty()) {
                    continue;
                }
                pieces++;
                if (!listener.onText(out.text)) {
                    it.cancel();
                    return new Completion("cancelled", tokens);
                }
            }
        } catch (RuntimeException e) {
            if (!LlamaCppBinding.isLlamaError(e)) {
                throw e;
            }
            // Before the first token llama.cpp refuses requests it cannot run (a grammar or schema it cannot
            // compile); later it fails only on its own errors.
            String why = e.getMessage() == null ? "no message" : e.getMessage().strip();
            if (pieces == 0) {
                throw ServiceException.invalid("llama.cpp refused the request: " + why);
            }
            throw ServiceException.unavailable("llama.cpp failed after " + pieces + " tokens: " + why, e);
        }
        return new Completion(tokens >= sampling.maxTokens() ? "length" : "stop", tokens);
    }

    /** Every adapter's scale for one request: the selected one at its scale, the others off. */
    private String loraScales(String adapter) {
        ArrayNode scales = JSON.createArrayNode();
        for (int i = 0; i < adapters.size(); i++) {
            boolean selected = adapters.get(i).name().equals(adapter);
            scales.addObject().put("id", i).put("scale", selected ? adapters.get(i).scale() : 0f);
        }
        return scales.toString();
    }

    @Override
    public void close() {
        model.close();
    }
}
