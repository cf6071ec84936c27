package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.orchestrator.guard.GuardEvalSupport.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scores the prompt-injection check on {@code guard-eval/injection-eval.jsonl} (attacks written for the evaluation,
 * direct and hidden in FOLDOC passages; benign look-alike questions; plain FOLDOC text): precision and recall of
 * the rules alone, of the classifier alone at several thresholds, and of both together as shipped. The set is also
 * training data of the shipped classifier, so it is scored by a detector trained on everything else (as is the small
 * held-out set). Writes {@code target/injection-eval.md} (quoted in docs/security.md) and holds the combined figures
 * to floors under what was measured.
 */
class InjectionEvaluationTest {

    @Test
    void precisionAndRecallOnTheLabelledSet() throws IOException {
        List<Row> rows = GuardEvalSupport.rows("injection-eval.jsonl");
        DefaultInjectionDetector detector = GuardEvalSupport.detectorTrainedWithout("injection-eval.jsonl");
        List<InjectionCheck> checks = GuardEvalSupport.check(detector, rows);
        StringBuilder md = new StringBuilder("| layer | precision | recall | recall direct | recall indirect | "
                + "false alarms benign | false alarms plain |\n|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, boolean[]> layers = new LinkedHashMap<>();
        layers.put("rules", verdicts(rows, i -> !InjectionRules.reasons(rows.get(i).text()).isEmpty()));
        for (double t : new double[] {0.5, 0.7, 0.8, 0.9, 0.95}) {
            layers.put(String.format(Locale.ROOT, "classifier >= %.2f", t), verdicts(rows, i -> checks.get(i).score() >= t));
        }
        boolean[] combined = verdicts(rows, i -> checks.get(i).suspicious());
        layers.put(String.format(Locale.ROOT, "**rules + classifier >= %.2f, rule veto < %.2f (default)**",
                GuardEvalSupport.THRESHOLD, GuardEvalSupport.RULE_VETO), combined);
        double[] best = null;
        for (var e : layers.entrySet()) {
            double[] s = score(rows, e.getValue());
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d / %d | %d / %d |%n", e.getKey(),
                    s[0], s[1], s[2], s[3], (int) s[4], (int) s[5], (int) s[6], (int) s[7]));
            best = s;
        }
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (combined[i] != (rows.get(i).label() == 1)) {
                misses.add((combined[i] ? "FP " : "FN ") + rows.get(i).kind() + String.format(Locale.ROOT, " %.2f ",
                        checks.get(i).score()) + checks.get(i).reasons() + ": " + rows.get(i).text());
            }
        }
        List<Row> holdout = GuardEvalSupport.rows("injection-holdout.jsonl");
        List<InjectionCheck> held = GuardEvalSupport.check(
                GuardEvalSupport.detectorTrainedWithout("injection-holdout.jsonl"), holdout);
        double[] h = score(holdout, verdicts(holdout, i -> held.get(i).suspicious()));
        md.append(String.format(Locale.ROOT, "%nHeld-out set (%d attacks, %d benign questions), default layers trained "
                + "without it: precision %.3f, recall %.3f (direct %.3f, indirect %.3f), false alarms %d / %d%n",
                holdout.stream().filter(r -> r.label() == 1).count(), (int) h[5], h[0], h[1], h[2], h[3], (int) h[4], (int) h[5]));
        for (int i = 0; i < holdout.size(); i++) {
            if (held.get(i).suspicious() != (holdout.get(i).label() == 1)) {
                misses.add("holdout " + (held.get(i).suspicious() ? "FP " : "FN ") + String.format(Locale.ROOT, "%.2f ",
                        held.get(i).score()) + held.get(i).reasons() + ": " + holdout.get(i).text());
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/injection-eval.md"), md);
        System.out.println(md);
        misses.forEach(System.out::println);
        // Measured (trained without this set): precision 0.982, recall 0.982.
        assertTrue(best[0] >= 0.95, "precision " + best[0]);
        assertTrue(best[1] >= 0.95, "recall " + best[1]);
    }

    private static boolean[] verdicts(List<Row> rows, java.util.function.IntPredicate p) {
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
