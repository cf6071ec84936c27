package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.ragsuite.orchestrator.retrieve.Embedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scores the prompt-injection check on {@code guard-eval/injection-eval.jsonl} (attacks written for the evaluation,
 * direct and hidden in FOLDOC passages; benign look-alike questions; plain FOLDOC text): precision and recall of
 * the rules alone, of the embedding layer alone at several thresholds, and of both together at the service's
 * default threshold. The embedding layer runs all-MiniLM-L6-v2 in-process (LangChain4j's packaging of the model
 * the embedding service serves). Writes {@code target/injection-eval.md} (quoted in docs/security.md) and holds
 * the combined figures to floors under what was measured.
 */
class InjectionEvaluationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final double DEFAULT_THRESHOLD = 0.65;

    record Row(String kind, int label, String text) {
    }

    @Test
    void precisionAndRecallOnTheLabelledSet() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("guard-eval/injection-eval.jsonl"))) {
            JsonNode r = JSON.readTree(line);
            rows.add(new Row(r.get("kind").asText(), r.get("label").asInt(), r.get("text").asText()));
        }
        DefaultInjectionDetector detector = shippedDetector();
        List<InjectionCheck> checks = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += 32) {
            checks.addAll(detector.check(rows.subList(from, Math.min(rows.size(), from + 32)).stream().map(Row::text)
                    .toList()).toCompletableFuture().join());
        }
        StringBuilder md = new StringBuilder("| layer | precision | recall | recall direct | recall indirect | "
                + "false alarms benign | false alarms plain |\n|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, boolean[]> layers = new LinkedHashMap<>();
        layers.put("rules", verdicts(rows, checks, i -> !InjectionRules.reasons(rows.get(i).text()).isEmpty()));
        for (double t : new double[] {0.55, 0.60, 0.65, 0.70, 0.75, 0.80}) {
            layers.put(String.format(Locale.ROOT, "embedding >= %.2f", t), verdicts(rows, checks, i -> checks.get(i).similarity() >= t));
        }
        for (double t : new double[] {0.55, 0.60}) {
            layers.put(String.format(Locale.ROOT, "rules + embedding >= %.2f", t), verdicts(rows, checks,
                    i -> !InjectionRules.reasons(rows.get(i).text()).isEmpty() || checks.get(i).similarity() >= t));
        }
        boolean[] combined = verdicts(rows, checks, i -> checks.get(i).suspicious());
        layers.put(String.format(Locale.ROOT, "**rules + embedding >= %.2f (default)**", DEFAULT_THRESHOLD), combined);
        double[] best = null;
        for (var e : layers.entrySet()) {
            double[] s = score(rows, e.getValue());
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d / %d | %d / %d |%n", e.getKey(),
                    s[0], s[1], s[2], s[3], (int) s[4], (int) s[5], (int) s[6], (int) s[7]));
            best = s;
        }
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (combined[i] != (rows.get(i).label() == 1) && misses.size() < 12) {
                misses.add((combined[i] ? "FP " : "FN ") + rows.get(i).kind() + String.format(Locale.ROOT, " %.2f ",
                        checks.get(i).similarity()) + checks.get(i).reasons() + ": " + rows.get(i).text());
            }
        }
        // The held-out rows were written after the rules were final and never changed them: the unbiased figure.
        List<Row> holdout = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("guard-eval/injection-holdout.jsonl"))) {
            JsonNode r = JSON.readTree(line);
            holdout.add(new Row(r.get("kind").asText(), r.get("label").asInt(), r.get("text").asText()));
        }
        List<InjectionCheck> held = detector.check(holdout.stream().map(Row::text).toList()).toCompletableFuture().join();
        double[] h = score(holdout, verdicts(holdout, held, i -> held.get(i).suspicious()));
        md.append(String.format(Locale.ROOT, "%nHeld-out set (%d attacks, %d benign questions), default layers: precision "
                + "%.3f, recall %.3f (direct %.3f, indirect %.3f), false alarms %d / %d%n",
                holdout.stream().filter(r -> r.label() == 1).count(), (int) h[5], h[0], h[1], h[2], h[3], (int) h[4], (int) h[5]));
        for (int i = 0; i < holdout.size(); i++) {
            if (held.get(i).suspicious() != (holdout.get(i).label() == 1)) {
                misses.add("holdout " + (held.get(i).suspicious() ? "FP " : "FN ") + String.format(Locale.ROOT, "%.2f ",
                        held.get(i).similarity()) + held.get(i).reasons() + ": " + holdout.get(i).text());
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/injection-eval.md"), md);
        System.out.println(md);
        misses.forEach(System.out::println);
        assertTrue(best[0] >= 0.93, "precision " + best[0]);
        assertTrue(best[1] >= 0.80, "recall " + best[1]);
    }

    /**
     * The detector as the service builds it (seed attacks, benign look-alikes, default threshold), over all-MiniLM-L6-v2
     * in-process (LangChain4j's packaging of the model the embedding service serves).
     */
    static DefaultInjectionDetector shippedDetector() throws IOException {
        AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        Embedder embedder = texts -> CompletableFuture.completedFuture(new Embedder.Embeddings(
                model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
                        .map(e -> e.vector()).toList(), "all-minilm-l6-v2"));
        return new DefaultInjectionDetector(embedder, exemplars("src/main/resources/guard/injection-seeds.txt"),
                exemplars("src/main/resources/guard/injection-benign-seeds.txt"), DEFAULT_THRESHOLD, 64);
    }

    private static List<String> exemplars(String file) throws IOException {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static boolean[] verdicts(List<Row> rows, List<InjectionCheck> checks, java.util.function.IntPredicate p) {
        boolean[] out = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            out[i] = p.test(i);
        }
        return out;
    }

    /** precision, recall, recall direct, recall indirect, FP benign, n benign, FP plain, n plain */
    private static double[] score(List<Row> rows, boolean[] flagged) {
        int tp = 0, fp = 0, fn = 0, dHit = 0, dAll = 0, iHit = 0, iAll = 0, fpB = 0, nB = 0, fpP = 0, nP = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            boolean f = flagged[i];
            if (r.label() == 1) {
                if (f) tp++; else fn++;
                if (r.kind().equals("direct")) { dAll++; if (f) dHit++; }
                if (r.kind().equals("indirect")) { iAll++; if (f) iHit++; }
            } else {
                if (f) fp++;
                if (r.kind().equals("benign")) { nB++; if (f) fpB++; }
                if (r.kind().equals("plain")) { nP++; if (f) fpP++; }
            }
        }
        return new double[] {tp / (double) Math.max(1, tp + fp), tp / (double) Math.max(1, tp + fn),
                dHit / (double) Math.max(1, dAll), iHit / (double) Math.max(1, iAll), fpB, nB, fpP, nP};
    }
}
