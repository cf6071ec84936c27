package io.ragsuite.embedding.core;

import io.ragsuite.support.concurrent.BoundedWorkQueue;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one or more embedding models by name: checks each request against the limits, queues it on a
 * bounded work queue, tokenizes and runs the model. Requests are checked completely before any work is
 * queued, so a bad request never costs model time.
 */
public final class EmbeddingEngine implements AutoCloseable {
    private final Map<String, EmbeddingModel> models;
    private final String defaultModel;
    private final EmbeddingLimits limits;
    private final BoundedWorkQueue queue;

    public EmbeddingEngine(List<EmbeddingModel> models, String defaultModel, EmbeddingLimits limits) {
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
        this.queue = new BoundedWorkQueue("embedding", limits.workers(), limits.maxQueued());
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

    public int queueDepth() {
        return queue.waiting();
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
        List<String> copy = List.copyOf(texts);
        return queue.submit(queuedUs -> run(model, copy, truncate, start, queuedUs));
    }

    private EmbeddingResult run(EmbeddingModel model, List<String> texts, boolean truncate, long start, long queuedUs) {
        long t0 = System.nanoTime();
        List<EmbeddingModel.TokenizedText> tokens = model.tokenize(texts);
        long t1 = System.nanoTime();
        int[] counts = new int[tokens.size()];
        boolean[] truncated = new boolean[tokens.size()];
        List<Integer> tooLong = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            counts[i] = tokens.get(i).length();
            truncated[i] = tokens.get(i).truncated();
            if (truncated[i]) {
                tooLong.add(i);
            }
        }
        if (!truncate && !tooLong.isEmpty()) {
            throw ServiceException.invalid("texts " + tooLong + " exceed the " + model.spec().maxTokens()
                    + "-token limit of model " + model.spec().name() + "; shorten them or set truncate=true");
        }
        float[][] vectors = model.embed(tokens);
        long t2 = System.nanoTime();
        return new EmbeddingResult(model.spec().name(), model.dimension(), vectors, counts, truncated, queuedUs,
                (t1 - t0) / 1_000, (t2 - t1) / 1_000, (t2 - start) / 1_000);
    }

    @Override
    public void close() {
        queue.close();
        models.values().forEach(EmbeddingModel::close);
    }
}
