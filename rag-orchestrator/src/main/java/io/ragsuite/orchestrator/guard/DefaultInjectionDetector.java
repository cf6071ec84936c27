package io.ragsuite.orchestrator.guard;

import io.ragsuite.orchestrator.retrieve.Embedder;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Two layers: {@link InjectionRules} (phrases, invisible characters, role markers), then {@link InjectionClassifier},
 * a logistic regression over the pipeline's own sentence embeddings, trained from labelled exemplars (attacks, benign
 * look-alikes that use an attack's words innocently, ordinary passages) the first time it is needed. A text is
 * embedded whole and sentence by sentence (an attack hidden in a long passage is one sentence among many, and the
 * passage's own embedding hardly resembles it); its score is that of its most suspicious piece.
 *
 * <p>A text is suspicious when invisible characters are in it, when its score reaches the threshold, or when a
 * phrase or role-marker rule fires and the classifier does not find the text plainly benign (score under the rule
 * veto): the rules alone mistook docs that show a chat template, a job title "Assistant:" or "you can ignore the
 * prompt and restart later" for attacks, and those score near 0. One batched embedding call per query.
 */
public final class DefaultInjectionDetector implements InjectionDetector {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n+");
    static final int MAX_SENTENCES = 64;
    /** scikit-learn's C: chosen by leaving each tuning split out in turn (guard-eval, docs/security.md). */
    static final double REGULARISATION_C = 3;

    private final Embedder embedder;
    private final List<InjectionExemplar> exemplars;
    private final double threshold;
    private final double ruleVeto;
    private final int batch;
    private final AtomicReference<CompletableFuture<Trained>> classifier = new AtomicReference<>();
    private volatile String lastFailure;

    /** The classifier and the embedding model whose vectors it was trained on. */
    private record Trained(InjectionClassifier model, String embeddingModel) {
    }

    /**
     * @param embedder  the embedding stage; null checks rules only
     * @param exemplars what the classifier is trained on; it needs attacks and benign texts
     * @param threshold the classifier's probability from which a text counts as an attack
     * @param ruleVeto  the probability under which a phrase or role-marker rule is overruled (0: never)
     * @param batch     texts per embedding call (the stage's request limit)
     */
    public DefaultInjectionDetector(Embedder embedder, List<InjectionExemplar> exemplars, double threshold,
            double ruleVeto, int batch) {
        if (embedder != null && (exemplars.stream().noneMatch(InjectionExemplar::attack)
                || exemplars.stream().allMatch(InjectionExemplar::attack))) {
            throw new IllegalArgumentException("the injection classifier needs exemplars of both attacks and benign texts");
        }
        if (!(threshold > 0 && threshold <= 1) || !(ruleVeto >= 0 && ruleVeto < 1)) {
            throw new IllegalArgumentException("the injection threshold must be within (0, 1] and the rule veto within [0, 1)");
        }
        this.embedder = embedder;
        this.exemplars = List.copyOf(exemplars);
        this.threshold = threshold;
        this.ruleVeto = ruleVeto;
        this.batch = batch;
    }

    /** Starts training the classifier now rather than at the first query; completes when it is trained. */
    public CompletionStage<Void> warmUp() {
        return embedder == null ? CompletableFuture.completedFuture(null) : classifier().thenApply(c -> null);
    }

    /** Whether the classifier is trained (always, when only the rules run). */
    public boolean ready() {
        CompletableFuture<Trained> f = classifier.get();
        return embedder == null || f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    /** Why the last training failed (null if none did), for the readiness check. */
    public String lastFailure() {
        return lastFailure;
    }

    @Override
    public CompletionStage<List<InjectionCheck>> check(List<String> texts) {
        List<List<String>> rules = texts.stream().map(InjectionRules::reasons).toList();
        if (embedder == null || texts.isEmpty()) {
            return CompletableFuture.completedFuture(rules.stream()
                    .map(r -> new InjectionCheck(!r.isEmpty(), 0, r)).toList());
        }
        List<String> pieces = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            for (String piece : pieces(texts.get(i))) {
                pieces.add(piece);
                owner.add(i);
            }
        }
        return classifier().thenCompose(trained -> embedder.embedInBatches(pieces, batch).thenApply(e -> {
            InjectionClassifier model = trained.model();
            if (!e.model().equals(trained.embeddingModel())
                    || e.vectors().stream().anyMatch(v -> v.length != model.dimensions())) {
                // The embedding stage now serves another model: the classifier is retrained on its vectors.
                classifier.set(null);
                throw ServiceException.unavailable("the embedding model changed from '" + trained.embeddingModel()
                        + "' to '" + e.model() + "'; the prompt-injection classifier is being retrained, retry", null);
            }
            double[] score = new double[texts.size()];
            for (int p = 0; p < pieces.size(); p++) {
                int i = owner.get(p);
                score[i] = Math.max(score[i], model.probability(e.vectors().get(p)));
            }
            List<InjectionCheck> out = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                List<String> reasons = new ArrayList<>();
                for (String r : rules.get(i)) {
                    if (r.startsWith(InjectionRules.INVISIBLE) || score[i] >= ruleVeto) {
                        reasons.add(r);
                    }
                }
                if (score[i] >= threshold) {
                    reasons.add(String.format(Locale.ROOT, "injection classifier (%.2f)", score[i]));
                }
                out.add(new InjectionCheck(!reasons.isEmpty(), score[i], reasons));
            }
            return out;
        }));
    }

    /** The text and, when it has more than one, its sentences (and lines), at most {@link #MAX_SENTENCES}. */
    static List<String> pieces(String text) {
        List<String> sentences = sentences(text);
        if (sentences.size() == 1) {
            return List.of(text);
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add(text);
        out.addAll(sentences);
        return List.copyOf(out);
    }

    /** Sentences (and lines) of a text, at most {@link #MAX_SENTENCES}, each trimmed; the text itself if one. */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String s : SENTENCE_END.split(text)) {
            if (!s.isBlank() && out.size() < MAX_SENTENCES) {
                out.add(s.strip());
            }
        }
        return out.isEmpty() ? List.of(text) : out;
    }

    private CompletionStage<Trained> classifier() {
        CompletableFuture<Trained> mine = new CompletableFuture<>();
        if (!classifier.compareAndSet(null, mine)) {
            return classifier.get();
        }
        // Benign texts count whole and sentence by sentence; an attack as a whole, except one hidden in a passage,
        // which is a bag of its pieces (InjectionClassifier picks the sentence). Duplicates are embedded once.
        List<String> all = new ArrayList<>();
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        List<int[]> benign = new ArrayList<>();
        List<int[]> attacks = new ArrayList<>();
        List<int[]> hidden = new ArrayList<>();
        for (InjectionExemplar x : exemplars) {
            List<String> units = x.attack() && !x.hidden() ? List.of(x.text()) : pieces(x.text());
            int[] ids = units.stream().mapToInt(u -> index.computeIfAbsent(u, k -> {
                all.add(k);
                return all.size() - 1;
            })).toArray();
            (x.hidden() ? hidden : x.attack() ? attacks : benign).add(ids);
        }
        embedder.embedInBatches(all, batch).thenApplyAsync(e -> {
            List<float[]> v = e.vectors();
            List<float[]> neg = benign.stream().flatMapToInt(java.util.Arrays::stream).distinct().mapToObj(v::get).toList();
            List<float[]> pos = attacks.stream().map(ids -> v.get(ids[0])).toList();
            List<List<float[]>> bags = hidden.stream()
                    .map(ids -> java.util.Arrays.stream(ids).mapToObj(v::get).toList()).toList();
            return new Trained(InjectionClassifier.fit(neg, pos, bags, REGULARISATION_C), e.model());
        }).whenComplete((trained, failure) -> {
            if (failure != null) {
                lastFailure = String.valueOf((failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure).getMessage());
                classifier.compareAndSet(mine, null); // try again with the next query or readiness probe
                mine.completeExceptionally(failure);
            } else {
                lastFailure = null;
                mine.complete(trained);
            }
        });
        return mine;
    }
}
