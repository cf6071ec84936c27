package io.ragsuite.generation.app;

import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.generation.core.EngineThreads;
import io.ragsuite.generation.core.GenerationEngine;
import io.ragsuite.generation.core.GenerationLimits;
import io.ragsuite.generation.core.GenerationScheduler;
import io.ragsuite.generation.core.GgufHeader;
import io.ragsuite.generation.core.LlamaCppEngine;
import io.ragsuite.generation.core.LoraAdapter;
import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.generation.core.OpenAiRemoteEngine;
import io.ragsuite.generation.core.WeightFiles;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks and loads the models (and the default model's LoRA adapters) in the background at startup; readiness
 * stays false until all of them can answer.
 */
@ApplicationScoped
public class EngineLoader {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EngineLoader.class);
    /** Served names: what fits in a URL path segment and a metric tag. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final GenerationConfig config;
    private final GrpcHealthStorage grpcHealth;
    private final GenerationMetrics.InterTokenObserver observer;
    private final BackgroundLoad<ModelRegistry> load;
    /** Base headers by model name, to check adapters loaded later against. */
    private final Map<String, GgufHeader> baseHeaders = new java.util.concurrent.ConcurrentHashMap<>();

    public EngineLoader(GenerationConfig config, GrpcHealthStorage grpcHealth,
            GenerationMetrics.InterTokenObserver observer) {
        this.grpcHealth = grpcHealth;
        this.config = config;
        this.observer = observer;
        this.load = new BackgroundLoad<>("generation models");
    }

    void onStart(@Observes StartupEvent event) {
        GrpcServingStatus.follow(grpcHealth, load, List.of("rag.v1.GenerationService"));
        load.start(this::loadModels);
    }

    void onStop(@Observes ShutdownEvent event) {
        load.close();
    }

    private GenerationLimits limits() {
        return new GenerationLimits(config.defaultMaxTokens(), config.maxTokens(), config.maxMessages(),
                config.maxPromptChars(), config.maxQueued());
    }

    private ModelRegistry loadModels() throws Exception {
        Map<String, GenerationScheduler> models = new LinkedHashMap<>();
        try {
            switch (config.backend().strip().toLowerCase(Locale.ROOT)) {
                case "llama-cpp" -> {
                    models.put(config.modelName(), llamaCpp(config.modelName(), config.modelPath(),
                            config.modelSha256().orElse(null), config.slots(), config.contextPerSlot(),
                            startupAdapters(), config.lora().maxAdapters()));
                    for (var e : config.models().entrySet()) {
                        GenerationConfig.ExtraModel m = e.getValue();
                        if (!NAME.matcher(e.getKey()).matches() || models.containsKey(e.getKey())) {
                            throw new IllegalArgumentException("rag.generation.models: bad or repeated name '" + e.getKey() + "'");
                        }
                        models.put(e.getKey(), llamaCpp(e.getKey(), m.path(), m.sha256().orElse(null),
                                m.slots().orElse(config.slots()), m.contextPerSlot().orElse(config.contextPerSlot()),
                                List.of(), 0));
                    }
                }
                case "openai" -> {
                    if (!config.models().isEmpty()) {
                        throw new IllegalArgumentException("rag.generation.models needs the llama-cpp backend; the openai "
                                + "backend serves what its remote server serves");
                    }
                    models.put(config.modelName(), new GenerationScheduler(remoteEngine(), limits()));
                }
                default -> throw new IllegalArgumentException("rag.generation.backend must be llama-cpp or openai, got '"
                        + config.backend() + "'");
            }
            return new ModelRegistry(config.modelName(), models);
        } catch (Exception | LinkageError e) {
            models.values().forEach(GenerationScheduler::close);
            throw e;
        }
    }

    private GenerationScheduler llamaCpp(String name, Path path, String sha256, int slots, int context,
            List<LoraAdapter> adapters, int maxAdapters) throws Exception {
        GgufHeader header = WeightFiles.check(path, sha256);
        if ("adapter".equals(header.metadata().get("general.type"))) {
            throw new IllegalArgumentException(path + " is a LoRA adapter, not a model; put it in rag.generation.lora.dir");
        }
        baseHeaders.put(name, header);
        for (LoraAdapter a : adapters) {
            WeightFiles.checkAdapter(a.path(), null, header);
        }
        String template = header.metadata().get("tokenizer.chat_template") instanceof String t ? t : null;
        int decode = EngineThreads.decode(config.threads(), EngineThreads.processors());
        int prefill = EngineThreads.prefill(config.threadsBatch(), EngineThreads.processors());
        LOG.infof("model %s: %d slots of %d tokens, %d decode and %d prompt threads on %d CPUs", name, slots, context,
                decode, prefill, EngineThreads.processors());
        var settings = new LlamaCppEngine.Settings(slots, context, decode, prefill, config.promptCache(),
                config.flashAttention(), config.finishFirstTokens());
        GenerationScheduler.EngineFactory factory = list -> new LlamaCppEngine(name, path, settings, template, list);
        return new GenerationScheduler(factory, factory.create(adapters), limits(), observer,
                Math.max(maxAdapters, adapters.size()));
    }

    /** The adapters found in rag.generation.lora.dir, by file name. */
    private List<LoraAdapter> startupAdapters() throws IOException {
        Path dir = config.lora().dir().orElse(null);
        if (dir == null) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("rag.generation.lora.dir " + dir + " is not a folder");
        }
        List<LoraAdapter> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.gguf$", "");
                if (!NAME.matcher(name).matches()) {
                    LOG.warnf("skipping adapter %s: its name is not a valid model name", f);
                    continue;
                }
                out.add(new LoraAdapter(name, f, config.lora().scale()));
            }
        }
        if (out.size() > config.lora().maxAdapters()) {
            throw new IllegalArgumentException(dir + " holds " + out.size() + " adapters; rag.generation.lora.max-adapters is "
                    + config.lora().maxAdapters());
        }
        LOG.infof("LoRA adapters of %s: %s", config.modelName(), out.stream().map(LoraAdapter::name).toList());
        return out;
    }

    /** The checked header of a base model, for adapter checks. */
    GgufHeader baseHeader(String model) {
        GgufHeader h = baseHeaders.get(model);
        if (h == null) {
            throw io.ragsuite.support.error.ServiceException.notFound("no in-process model '" + model + "'");
        }
        return h;
    }

    /** Waits for the remote server to answer with the configured model, as long as it takes, logging why. */
    private GenerationEngine remoteEngine() throws InterruptedException {
        GenerationConfig.Remote remote = config.remote();
        String url = remote.url().orElseThrow(() -> new IllegalArgumentException(
                "rag.generation.backend=openai needs rag.generation.remote.url (RAG_GENERATION_REMOTE_URL)"));
        OpenAiRemoteEngine engine = new OpenAiRemoteEngine(config.modelName(), url,
                remote.model().orElse(config.modelName()), remote.apiKey().orElse(null), config.slots(),
                config.contextPerSlot(), remote.timeout(), remote.maxRetries());
        long backoff = 500;
        while (true) {
            try {
                LOG.infof("generation backend %s serves %s", url, engine.probe());
                return engine;
            } catch (io.ragsuite.support.error.ServiceException e) {
                LOG.warnf("generation backend not ready yet: %s; retrying in %d ms", e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(10_000, backoff * 2);
            }
        }
    }

    public BackgroundLoad<ModelRegistry> loading() {
        return load;
    }

    public boolean ready() {
        return load.ready();
    }

    /** The served models, or UNAVAILABLE while they load (or failed to load). */
    public ModelRegistry registry() {
        return load.get();
    }
}
