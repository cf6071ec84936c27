package io.ragsuite.orchestrator.guard;

import io.ragsuite.orchestrator.retrieve.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two layers: {@link InjectionRules} (phrases, invisible characters, role markers), then the embedding
 * similarity of each text to a seed set of known attacks, with the pipeline's own embedding model (one batched
 * call for all texts of a query; the seeds are embedded once). A text is suspicious when a rule fires or its
 * best similarity reaches the threshold and is higher than its similarity to every benign look-alike (questions
 * about prompts, debug modes, encodings, admin overrides that use an attack's words innocently): a nearest-neighbour
 * decision between the two exemplar sets, so that "Should that go in the system prompt?" is not an attack for
 * resembling one. Paraphrased attacks that no phrase rule names are what the second layer is for.
 */
public final class DefaultInjectionDetector implements InjectionDetector {
    private final Embedder embedder;
    private final List<String> seeds;
    private final List<String> benign;
    private final double threshold;
    private final int batch;
    private final AtomicReference<CompletableFuture<List<float[]>>> seedVectors = new AtomicReference<>();
    private static final java.util.regex.Pattern SENTENCE_END = java.util.regex.Pattern.compile("(?<=[.!?])\\s+|\\n+");
    static final int MAX_SENTENCES = 64;

    /**
     * @param embedder  the embedding stage; null checks rules only
     * @param seeds     known attacks to compare with
     * @param threshold cosine similarity from which a text counts as an attack
     * @param batch     texts per embedding call (the stage's request limit)
     */
    public DefaultInjectionDetector(Embedder embedder, List<String> seeds, double threshold, int batch) {
        this(embedder, seeds, List.of(), threshold, batch);
    }

    /** @param benign look-alikes that are not attacks; a text closer to one of them than to every seed is not flagged */
    public DefaultInjectionDetector(Embedder embedder, List<String> seeds, List<String> benign, double threshold, int batch) {
        this.embedder = embedder;
        this.seeds = List.copyOf(seeds);
        this.benign = List.copyOf(benign);
        this.threshold = threshold;
        this.batch = batch;
    }

    @Override
    public CompletionStage<List<InjectionCheck>> check(List<String> texts) {
        List<List<String>> rules = texts.stream().map(InjectionRules::reasons).toList();
        if (embedder == null || seeds.isEmpty() || texts.isEmpty()) {
            return CompletableFuture.completedFuture(rules.stream()
                    .map(r -> new InjectionCheck(!r.isEmpty(), 0, r)).toList());
        }
        // Sentence by sentence: an attack hidden in a long passage is one sentence among many, and the passage's
        // own embedding hardly resembles it.
        List<String> pieces = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            for (String sentence : sentences(texts.get(i))) {
                pieces.add(sentence);
                owner.add(i);
            }
        }
        return seedVectors().thenCompose(seedVecs -> embedder.embedInBatches(pieces, batch).thenApply(e -> {
            List<float[]> vectors = e.vectors();
            double[] bestOf = new double[texts.size()];
            boolean[] attackSide = new boolean[texts.size()];
            for (int p = 0; p < pieces.size(); p++) {
                double attack = 0;
                for (int k = 0; k < seeds.size(); k++) {
                    attack = Math.max(attack, cosine(vectors.get(p), seedVecs.get(k)));
                }
                double lookalike = 0;
                for (int k = seeds.size(); k < seedVecs.size(); k++) {
                    lookalike = Math.max(lookalike, cosine(vectors.get(p), seedVecs.get(k)));
                }
                int i = owner.get(p);
                if (attack > bestOf[i]) {
                    bestOf[i] = attack;
                }
                attackSide[i] |= attack >= threshold && attack > lookalike;
            }
            List<InjectionCheck> out = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                double best = bestOf[i];
                List<String> reasons = new ArrayList<>(rules.get(i));
                if (attackSide[i]) {
                    reasons.add(String.format(Locale.ROOT, "similar to a known attack (%.2f)", best));
                }
                out.add(new InjectionCheck(!reasons.isEmpty(), best, reasons));
            }
            return out;
        }));
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

    /** The look-alikes sentence by sentence, as the texts checked are compared. */
    private List<String> benignSentences() {
        return benign.stream().flatMap(b -> sentences(b).stream()).distinct().toList();
    }

    private CompletionStage<List<float[]>> seedVectors() {
        CompletableFuture<List<float[]>> mine = new CompletableFuture<>();
        if (!seedVectors.compareAndSet(null, mine)) {
            return seedVectors.get();
        }
        // The seeds' vectors first, then the look-alikes' (check() tells them apart by index).
        List<String> all = new ArrayList<>(seeds);
        all.addAll(benignSentences());
        embedder.embedInBatches(all, batch).whenComplete((e, failure) -> {
            if (failure != null) {
                seedVectors.set(null); // try again with the next query
                mine.completeExceptionally(failure);
            } else {
                mine.complete(e.vectors());
            }
        });
        return mine;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
