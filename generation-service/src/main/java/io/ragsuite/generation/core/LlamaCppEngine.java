package io.ragsuite.generation.core;

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
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp in-process through the {@code de.kherud:llama} JNI binding. The binding embeds llama.cpp's
 * server loop: {@code slots} sequences share one context with continuous batching, so requests that
 * arrive while others decode join the next decode step instead of waiting for them to finish.
 */
public final class LlamaCppEngine implements GenerationEngine {
    private static final System.Logger LOG = System.getLogger(LlamaCppEngine.class.getName());
    private static final String NATIVE_DIR_PROPERTY = "de.kherud.llama.tmpdir";

    private final String name;
    private final int slots;
    private final int contextPerSlot;
    private final LlamaModel model;
    /** The GGUF's own Jinja chat template, or null to use llama.cpp's template handling. */
    private final ChatTemplate chatTemplate;

    /**
     * @param threads CPU threads for decoding; 0 uses every available processor
     */
    public LlamaCppEngine(String name, Path gguf, int slots, int contextPerSlot, int threads) {
        this(name, gguf, slots, contextPerSlot, threads, null);
    }

    /**
     * @param chatTemplate the GGUF's {@code tokenizer.chat_template} (see {@link GgufHeader}); rendered with
     *                     Jinja as transformers does, since llama.cpp's built-in template matching drops parts of
     *                     some templates (SmolLM2's default system prompt); null uses llama.cpp's
     */
    public LlamaCppEngine(String name, Path gguf, int slots, int contextPerSlot, int threads, String chatTemplate) {
        this.name = name;
        this.chatTemplate = chatTemplate == null || chatTemplate.isBlank() ? null : new ChatTemplate(chatTemplate);
        this.slots = slots;
        this.contextPerSlot = contextPerSlot;
        usePrivateNativeLibraryDir();
        LlamaModel.setLogger(LogFormat.TEXT, LlamaCppEngine::log);
        int cpu = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ModelParameters params = new ModelParameters()
                .setModel(gguf.toString())
                // llama.cpp splits the context evenly between the slots.
                .setCtxSize(contextPerSlot * slots)
                .setParallel(slots)
                .enableContBatching()
                .setThreads(cpu)
                .setThreadsBatch(cpu);
        this.model = new LlamaModel(params);
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
    public Completion complete(Prompt prompt, Sampling sampling, TokenListener listener) {
        InferenceParameters params = new InferenceParameters(prompt.text())
                .setNPredict(sampling.maxTokens())
                .setTemperature(sampling.temperature())
                .setTopP(sampling.topP())
                .setTopK(sampling.topK())
                .setMinP(sampling.minP())
                .setRepeatPenalty(sampling.repetitionPenalty())
                .setCachePrompt(true);
        if (sampling.seed() != null) {
            params.setSeed(sampling.seed());
        }
        if (!sampling.stop().isEmpty()) {
            params.setStopStrings(sampling.stop().toArray(String[]::new));
        }
        LlamaIterator it = model.generate(params).iterator();
        int pieces = 0;
        while (it.hasNext()) {
            LlamaOutput out = it.next();
            if (out.text.isEmpty()) {
                continue;
            }
            pieces++;
            if (!listener.onText(out.text)) {
                it.cancel();
                return new Completion("cancelled", pieces);
            }
        }
        return new Completion(pieces >= sampling.maxTokens() ? "length" : "stop", pieces);
    }

    @Override
    public void close() {
        model.close();
    }
}
