package io.ragsuite.embedding.core;

import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one or more embedding models by name: checks each request against the limits, then hands it to
 * the model's {@link DynamicBatcher}, which batches it with concurrent requests. Requests are checked as far
 * as possible before they are queued, so a bad request costs no model time.
 */
public final class EmbeddingEngine implements AutoCloseable {
    private final Map<String, EmbeddingModel> models;
    private final String defaultModel;
    private final EmbeddingLimits limits;
    private final Map<String, DynamicBatcher> batchers = new LinkedHashMap<>();

    public EmbeddingEngine(List<EmbeddingModel> models, String defaultModel, EmbeddingLimits limits) {
        this(models, defaultModel, limits, (texts, paddedTokens) -> {
        });
    }

    /** @param batches told about every model call (texts and padded tokens), for metrics */
    public EmbeddingEngine(List<EmbeddingModel> models, String defaultModel, EmbeddingLimits limits,
            BatchObserver batches) {
        Map<String, EmbeddingModel> byName = new LinkedHashMap<>();
        for (EmbeddingModel model : models) {
            if (byName.put(model.spec().name(), model) != null) {
                throw new IllegalArgumentException("two models are named " + model.spec().name());
            }
        }
        if (!byName.containsKey(defaultModel)) {
            throw new IllegalArgumentException("default model " + defaultModel + " is not among " + byName.keySet());
        }
        this.models = Collections.unmodifiableMap(byName);
        this.defaultModel = defaultModel;
        this.limits = limits;
        DynamicBatcher.Settings settings = new DynamicBatcher.Settings(limits.workers(), limits.maxBatchTexts(),
                limits.maxBatchTokens(), limits.maxPaddingFraction(), limits.batchDelayUs(), limits.maxQueuedTexts());
        byName.forEach((name, model) -> batchers.put(name, new DynamicBatcher(model, settings, batches::onBatch)));
    }

    public String defaultModel() {
        return defaultModel;
    }

    public Map<String, EmbeddingModel> models() {
        return models;
    }

    public EmbeddingModel model(String name) {
        String wanted = name == null || name.isEmpty() ? defaultModel : name;
        EmbeddingModel model = models.get(wanted);
        if (model == null) {
            throw ServiceException.notFound("unknown model '" + wanted + "'; served models: " + models.keySet());
        }
        return model;
    }

    /** Texts waiting to be batched, over all models. */
    public int queueDepth() {
        return batchers.values().stream().mapToInt(DynamicBatcher::queuedTexts).sum();
    }

    /** Observes each model call. */
    @FunctionalInterface
    public interface BatchObserver {
        void onBatch(int texts, int paddedTokens);
    }

    /**
     * Embeds {@code texts}. Fails (synchronously, before queueing) with INVALID_ARGUMENT or NOT_FOUND for a
     * bad request; the future fails with RESOURCE_EXHAUSTED when the queue is full.
     *
     * @param truncate whether texts over the model's token limit may be cut; when false they are rejected
     */
    public CompletableFuture<EmbeddingResult> embed(List<String> texts, String modelName, boolean truncate) {
        long start = System.nanoTime();
        Require.size(texts, 1, limits.maxTexts(), "texts");
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null || text.isBlank()) {
                throw ServiceException.invalid("texts[" + i + "] is empty");
            }
            Require.maxLength(text, limits.maxTextChars(), "texts[" + i + "]");
        }
        EmbeddingModel model = model(modelName);
        return batchers.get(model.spec().name()).submit(List.copyOf(texts), truncate, start);
    }

    @Override
    public void close() {
        // Batchers first: they finish the batches in progress before the models are closed under them.
        batchers.values().forEach(DynamicBatcher::close);
        models.values().forEach(EmbeddingModel::close);
    }
}
