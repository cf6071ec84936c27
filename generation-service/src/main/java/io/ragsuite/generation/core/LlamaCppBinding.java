package io.ragsuite.generation.core;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two places where the {@code de.kherud:llama} binding's public API is narrower than the llama.cpp server
 * code it wraps, reached by reflection and kept here so the rest of the engine uses the plain API:
 * <ul>
 * <li>{@link ModelParameters} keeps options in a map, so a repeatable option such as {@code --lora} can be
 * given once only. {@link #load} hands llama.cpp its own argument vector (the binding's options plus one
 * {@code --lora FILE} per adapter) through the binding's private {@code loadModel(String...)}, which is all
 * its constructor does.</li>
 * <li>{@link InferenceParameters} has no setter for the server's per-request {@code lora} list or
 * {@code json_schema}; {@link #putJson} adds such a field to the JSON the binding sends to the server code,
 * which parses it as llama.cpp's own HTTP server does.</li>
 * </ul>
 * Both are checked by the service tests (adapters change the output; a schema constrains it), so a binding
 * upgrade that moves these members fails there, not in production.
 */
final class LlamaCppBinding {
    private static final Method LOAD_MODEL;
    private static final Field REQUEST_FIELDS;

    static {
        try {
            LOAD_MODEL = LlamaModel.class.getDeclaredMethod("loadModel", String[].class);
            LOAD_MODEL.setAccessible(true);
            REQUEST_FIELDS = InferenceParameters.class.getSuperclass().getDeclaredField("parameters");
            REQUEST_FIELDS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("de.kherud:llama changed its internals: " + e);
        }
    }

    private LlamaCppBinding() {
    }

    /** Loads a model with the binding's options plus {@code extraArgs} (llama.cpp command-line arguments). */
    static LlamaModel load(ModelParameters params, List<String> extraArgs) {
        List<String> argv = new ArrayList<>(List.of(params.toArray()));
        argv.addAll(extraArgs);
        try {
            // The binding's constructor only calls loadModel; allocate without it so the full argv can be passed.
            LlamaModel model = (LlamaModel) unsafe().allocateInstance(LlamaModel.class);
            LOAD_MODEL.invoke(model, (Object) argv.toArray(String[]::new));
            return model;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("llama.cpp could not load the model: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("de.kherud:llama changed its internals: " + e, e);
        }
    }

    /** Whether {@code e} is the binding's (package-private) LlamaException: llama.cpp refused or failed a task. */
    static boolean isLlamaError(RuntimeException e) {
        return e.getClass().getName().equals("de.kherud.llama.LlamaException");
    }

    /** Adds a field whose value is already JSON text (an array or object) to a completion request. */
    @SuppressWarnings("unchecked")
    static void putJson(InferenceParameters params, String key, String jsonValue) {
        try {
            ((Map<String, String>) REQUEST_FIELDS.get(params)).put(key, jsonValue);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("de.kherud:llama changed its internals: " + e, e);
        }
    }

    private static sun.misc.Unsafe unsafe() throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (sun.misc.Unsafe) f.get(null);
    }
}
