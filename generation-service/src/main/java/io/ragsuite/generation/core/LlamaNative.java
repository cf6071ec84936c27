package io.ragsuite.generation.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI entry points of our llama.cpp binding ({@code src/main/native/llama_jni.cpp}, built into
 * {@code libragllama.so} by {@code src/main/native/build.sh} when Maven builds this module, and carried in the
 * jar). Handles are native pointers; {@link LlamaCppEngine} owns them and is the only caller.
 *
 * <p>The library is copied out of the jar to a folder of this class loader's own before loading: the JVM loads a
 * native library into one class loader only, and Quarkus tests start several applications, each with its own
 * loader, in one JVM. {@code -Drag.generation.native-library=FILE} loads a library built elsewhere instead.
 */
final class LlamaNative {
    static final String LIBRARY_PROPERTY = "rag.generation.native-library";
    private static final String RESOURCE = "/native/linux-x86_64/libragllama.so";

    static {
        load();
        init();
    }

    private LlamaNative() {
    }

    private static void load() {
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            System.load(Path.of(configured).toAbsolutePath().toString());
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new UnsatisfiedLinkError("the generation service's llama.cpp binding is built for Linux x86-64 only, not "
                    + os + "/" + arch + "; set -D" + LIBRARY_PROPERTY + "=FILE to one built for this machine");
        }
        try (InputStream in = LlamaNative.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError(RESOURCE + " is not on the class path: Maven builds it at generate-resources "
                        + "(generation-service/src/main/native/build.sh, which needs cmake and g++)");
            }
            Path dir = Files.createTempDirectory("ragllama-");
            Path lib = dir.resolve("libragllama.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            System.load(lib.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the llama.cpp binding", e);
        }
    }

    /** Routes llama.cpp's warnings and errors to stderr and initialises its backends; once per loaded library. */
    private static native void init();

    /** llama.cpp's description of the CPU features it was built with and uses. */
    static native String systemInfo();

    /** Loads a GGUF model (memory-mapped) and the given LoRA adapter files; returns the model handle. */
    static native long loadModel(String path, String[] loraPaths);

    static native void freeModel(long model);

    /**
     * A context of {@code contextTokens} split evenly between {@code sequences} KV buffers, taking up to
     * {@code batchTokens} tokens per {@link #decode}.
     */
    static native long newContext(long model, int contextTokens, int sequences, int batchTokens, int threads,
            int threadsBatch, boolean flashAttention);

    static native void freeContext(long context);

    static native int contextSize(long context);

    static native int[] tokenize(long model, String text, boolean addSpecial, boolean parseSpecial);

    /** A token's text as UTF-8 bytes (possibly part of a character); empty for control tokens. */
    static native byte[] piece(long model, int token);

    static native boolean isEndOfGeneration(long model, int token);

    /** llama.cpp's built-in chat formatting with the model's template; IllegalArgumentException if unknown. */
    static native String applyChatTemplate(long model, String[] roles, String[] contents);

    /** llama.cpp's JSON-schema-to-GBNF conversion; IllegalArgumentException if it cannot convert. */
    static native String schemaToGrammar(String schemaJson);

    /**
     * A sampler with llama.cpp's server chain; {@code seed} < 0 for a random one, {@code grammar} null for none.
     * IllegalArgumentException when llama.cpp cannot parse the grammar.
     */
    static native long newSampler(long model, float temperature, float topP, int topK, float minP,
            float repeatPenalty, long seed, String grammar, boolean ignoreEos);

    static native void freeSampler(long sampler);

    /** Adds the prompt to the sampler's token history (for the repetition penalty). */
    static native void acceptPrompt(long sampler, int[] tokens);

    /** Samples (and accepts) the next token from batch row {@code row} of the last decode. */
    static native int sample(long sampler, long context, int row);

    /** One decode step of {@code n} rows; returns llama_decode's status (0 ok, 1 KV cache full, else failed). */
    static native int decode(long context, int n, int[] tokens, int[] positions, int[] sequences, boolean[] logits);

    /** Drops sequence {@code seq}'s cached tokens at positions [p0, p1); p1 < 0 means to the end. */
    static native boolean removeTokens(long context, int seq, int p0, int p1);

    /** Every loaded adapter's scale for the following decodes; 0 leaves one out. */
    static native void setAdapterScales(long context, float[] scales);
}
