package io.ragsuite.generation.app;

import io.ragsuite.generation.core.LoraAdapter;
import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.generation.core.WeightFiles;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.ragsuite.support.audit.AuditLog;

/**
 * Loads and unloads LoRA adapters while serving (the admin API behind {@code /v1/load_lora_adapter} and
 * {@code /v1/unload_lora_adapter}). Files come only from {@code rag.generation.lora.dir}: an operator mounts or
 * copies the adapter there, then registers it, so the API cannot be used to read arbitrary paths. Every
 * action, refused or done, goes to the audit log (logger {@code rag.audit}).
 */
@ApplicationScoped
public class AdapterAdmin {
    private final EngineLoader loader;
    private final GenerationConfig config;

    public AdapterAdmin(EngineLoader loader, GenerationConfig config) {
        this.loader = loader;
        this.config = config;
    }

    /**
     * @param file a file name (or relative path) inside the adapter folder; null means {@code NAME.gguf}
     * @param model the base model; null means the default model
     */
    public ModelRegistry.Served load(String name, String file, String model, String who) {
        String base = model == null || model.isBlank() ? config.modelName() : model;
        try {
            allowed();
            Require.that(name != null && EngineLoader.NAME.matcher(name).matches(),
                    "lora_name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            var baseHeader = loader.baseHeader(base);
            Path dir = config.lora().dir().orElseThrow().toRealPath();
            Path path = dir.resolve(file == null || file.isBlank() ? name + ".gguf" : file).normalize();
            if (!path.startsWith(dir)) {
                throw ServiceException.invalid("lora_path must name a file inside the adapter folder");
            }
            if (!Files.isRegularFile(path)) {
                throw ServiceException.notFound("no adapter file " + dir.relativize(path) + " in the adapter folder");
            }
            if (!path.toRealPath().startsWith(dir)) {
                throw ServiceException.invalid("lora_path must name a file inside the adapter folder");
            }
            try {
                WeightFiles.checkAdapter(path, null, baseHeader);
            } catch (IllegalArgumentException e) {
                throw ServiceException.invalid(e.getMessage().replace(dir.toString(), "<adapter folder>"));
            }
            LoraAdapter adapter = new LoraAdapter(name, path, config.lora().scale());
            loader.registry().addAdapter(base, adapter);
            audit("load_lora_adapter", name, base, who, "done");
            return new ModelRegistry.Served(name, base, loader.registry().scheduler(base).engine().backend());
        } catch (ServiceException e) {
            audit("load_lora_adapter", name, base, who, "refused: " + e.getMessage());
            throw e;
        } catch (IOException e) {
            audit("load_lora_adapter", name, base, who, "failed: " + e.getMessage());
            throw ServiceException.unavailable("cannot read the adapter folder", e);
        } catch (Exception e) {
            audit("load_lora_adapter", name, base, who, "failed: " + e.getMessage());
            throw new ServiceException(ErrorKind.INTERNAL, "llama.cpp could not load adapter '" + name
                    + "'; the previous adapters stay in service (see the service log)", e);
        }
    }

    /** @return the base model the adapter was removed from */
    public String unload(String name, String who) {
        try {
            allowed();
            Require.that(name != null && !name.isBlank(), "lora_name is required");
            String base = loader.registry().removeAdapter(name);
            audit("unload_lora_adapter", name, base, who, "done");
            return base;
        } catch (ServiceException e) {
            audit("unload_lora_adapter", name, null, who, "refused: " + e.getMessage());
            throw e;
        } catch (Exception e) {
            audit("unload_lora_adapter", name, null, who, "failed: " + e.getMessage());
            throw new ServiceException(ErrorKind.INTERNAL, "could not unload adapter '" + name + "' (see the service log)", e);
        }
    }

    private void allowed() {
        if (!config.lora().runtimeUpdates()) {
            throw new ServiceException(ErrorKind.FAILED_PRECONDITION,
                    "runtime adapter updates are off (rag.generation.lora.runtime-updates=false)");
        }
        if (config.lora().dir().isEmpty()) {
            throw new ServiceException(ErrorKind.FAILED_PRECONDITION,
                    "no adapter folder is configured (rag.generation.lora.dir); adapters are loaded only from there");
        }
        if (!"llama-cpp".equalsIgnoreCase(config.backend().strip())) {
            throw new ServiceException(ErrorKind.FAILED_PRECONDITION,
                    "the " + config.backend() + " backend's adapters are loaded at its server");
        }
    }

    private static void audit(String action, String adapter, String model, String who, String outcome) {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("adapter", adapter);
        fields.put("model", model);
        fields.put("by", who);
        AuditLog.record(action, fields, outcome);
    }
}
