package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The guardrails on sentences written apart from everything they were built and tuned on (issue 17). Each held-out
 * round ({@code guard-eval/fresh-*-round{1,2,3,4}.jsonl}) was written by a helper that saw neither the detectors nor
 * any set, committed, and then scored. Rounds 1 and 2 became tuning data of the rules (with {@code fresh-*-dev.jsonl},
 * written here); round 3 was the test split until the injection classifier came, whose settings were chosen on round
 * 3 left out of its training (so it is now training data too). Round 4 of injection, written and committed before any
 * of it was scored, is the split never tuned on: the injection figures asserted here are on it; PII is still asserted
 * on round 3, which no PII change has used. First scores: round 1 injection 0.905 precision / 0.792 recall, PII
 * recall 0.952; round 2 0.903 / 0.737, PII 0.938; round 3 0.919 / 0.792, PII 0.965; round 4 0.913 / 0.862 (the old
 * rules and nearest-seed similarity: 0.907 / 0.624). Goals: injection recall >= 0.8 at precision >= 0.9; PII recall
 * >= 0.95 with at most one false positive per 24 negative sentences. Writes {@code target/fresh-guardrails.md}
 * (quoted in docs/security.md).
 */
class FreshGuardrailsEvaluationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The injection split never tuned on: written by a helper that saw neither the detectors nor any set. */
    static final String TEST_SPLIT = "fresh-injection-round4.jsonl";

    record Scores(int tp, int fp, int fn, int tn, List<String> misses) {
        double precision() {
            return tp / (double) Math.max(1, tp + fp);
        }

        double recall() {
            return tp / (double) Math.max(1, tp + fn);
        }
    }

    static Scores injection(DefaultInjectionDetector detector, String file) {
        List<GuardEvalSupport.Row> rows = GuardEvalSupport.rows(file);
        List<InjectionCheck> checks = GuardEvalSupport.check(detector, rows);
        int tp = 0, fp = 0, fn = 0, tn = 0;
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            boolean attack = rows.get(i).label() == 1;
            boolean flagged = checks.get(i).suspicious();
            if (attack && flagged) tp++;
            else if (attack) fn++;
            else if (flagged) fp++;
            else tn++;
            if (attack != flagged) {
                misses.add(String.format(Locale.ROOT, "%s %s %.2f %s: %s", flagged ? "FP" : "FN", rows.get(i).kind(),
                        checks.get(i).score(), checks.get(i).reasons(), rows.get(i).text()));
            }
        }
        return new Scores(tp, fp, fn, tn, misses);
    }

    /** Span-level: a labelled value is found when a finding of its type overlaps it; a finding nowhere labelled is a false positive. */
    static Scores pii(String file) throws IOException {
        // As the service ships it: every type, phone numbers without "+" read in the Spanish plan.
        DefaultPiiRedactor redactor = new DefaultPiiRedactor(java.util.EnumSet.allOf(PiiType.class), RedactionMode.MASK,
                "ES", null);
        int tp = 0, fp = 0, fn = 0, cleanSentences = 0;
        List<String> misses = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = JSON.readTree(line);
            String text = row.get("text").asText();
            List<PiiFinding> found = redactor.find(text);
            boolean[] used = new boolean[found.size()];
            for (JsonNode span : row.get("spans")) {
                int s = span.get("start").asInt(), e = span.get("end").asInt();
                String type = span.get("type").asText();
                boolean hit = false;
                for (int f = 0; f < found.size(); f++) {
                    PiiFinding x = found.get(f);
                    if (sameType(x.type(), type) && x.start() < e && x.end() > s) {
                        hit = true;
                        used[f] = true;
                    }
                }
                if (hit) tp++;
                else {
                    fn++;
                    misses.add("FN " + type + " '" + text.substring(s, e) + "': " + text);
                }
            }
            boolean clean = true;
            for (int f = 0; f < found.size(); f++) {
                if (!used[f]) {
                    fp++;
                    clean = false;
                    misses.add("FP " + found.get(f).type() + " '" + text.substring(found.get(f).start(),
                            found.get(f).end()) + "': " + text);
                }
            }
            if (row.get("spans").isEmpty() && clean) {
                cleanSentences++;
            }
        }
        return new Scores(tp, fp, fn, cleanSentences, misses);
    }

    /** The test set's type names (written without our enum in view) against ours. */
    private static boolean sameType(PiiType ours, String theirs) {
        return switch (theirs) {
            case "CREDIT_CARD" -> ours == PiiType.CARD;
            case "IPV4" -> ours == PiiType.IP;
            case "ES_DNI" -> ours == PiiType.ES_DNI || ours == PiiType.ES_NIE;
            default -> ours.name().equals(theirs);
        };
    }

    /**
     * Round 3, the last split before round 4 was written, is training data of the shipped classifier; scored here by
     * a detector trained on everything but round 3 (the figure the classifier's settings were chosen on). Reported with
     * its misses, held to what was measured.
     */
    @Test
    void roundThreeCrossValidated() {
        Scores r3 = injection(GuardEvalSupport.detectorTrainedWithout("fresh-injection-round3.jsonl"),
                "fresh-injection-round3.jsonl");
        System.out.printf(Locale.ROOT, "round 3, trained without it: precision %.3f recall %.3f (TP %d FP %d FN %d)%n",
                r3.precision(), r3.recall(), r3.tp(), r3.fp(), r3.fn());
        r3.misses().forEach(m -> System.out.println("round3 " + m));
        assertTrue(r3.recall() >= 0.88 && r3.precision() >= 0.92, "round 3 cross-validated: " + r3);
    }

    /**
     * The questions of {@code ./rag eval}'s sets (FOLDOC, GCIDE, Debian Handbook; none is training data of the check):
     * ordinary questions a user of this suite asks. Measured: 1 of 600 flagged (a bare Handbook section title).
     */
    @Test
    void ordinaryQuestionsAreLeftAlone() throws IOException {
        List<String> questions = new ArrayList<>();
        try (var files = Files.list(Path.of("../eval/sets"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        questions.add(JSON.readTree(line).get("question").asText());
                    }
                }
            }
        }
        List<GuardEvalSupport.Row> rows = questions.stream().map(q -> new GuardEvalSupport.Row("plain", 0, q)).toList();
        List<InjectionCheck> checks = GuardEvalSupport.check(GuardEvalSupport.shippedDetector(), rows);
        List<String> flagged = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (checks.get(i).suspicious()) {
                flagged.add(String.format(Locale.ROOT, "%.2f %s: %s", checks.get(i).score(), checks.get(i).reasons(),
                        questions.get(i)));
            }
        }
        System.out.printf(Locale.ROOT, "ordinary questions: %d of %d flagged%n", flagged.size(), questions.size());
        flagged.forEach(f -> System.out.println("flagged " + f));
        assertTrue(questions.size() >= 600, "eval/sets questions: " + questions.size());
        assertTrue(flagged.size() <= questions.size() / 100, "false alarms on ordinary questions: " + flagged);
    }

    @Test
    void onSentencesNeverTunedOn() throws IOException {
        assertTrue(!io.ragsuite.orchestrator.app.PipelineProducer.INJECTION_TRAINING_SETS.contains(TEST_SPLIT),
                "the test split must not be training data");
        DefaultInjectionDetector detector = GuardEvalSupport.shippedDetector();
        StringBuilder md = new StringBuilder("| set | precision | recall | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|\n");
        Scores injRound3 = injection(GuardEvalSupport.detectorTrainedWithout("fresh-injection-round3.jsonl"),
                "fresh-injection-round3.jsonl");
        Scores injTest = injection(detector, TEST_SPLIT);
        Scores piiDev = pii("guard-eval/fresh-pii-dev.jsonl");
        Scores piiTest = pii("guard-eval/fresh-pii-round3.jsonl");
        for (var e : new Object[][] {{"injection, round 3 (trained without it)", injRound3},
                {"injection, round 4 (never tuned on)", injTest},
                {"PII, dev (tuned on)", piiDev}, {"PII, round 3 (never tuned on)", piiTest}}) {
            Scores sc = (Scores) e[1];
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %d | %d | %d |%n", e[0], sc.precision(), sc.recall(),
                    sc.tp(), sc.fp(), sc.fn()));
        }
        long negatives = Files.readAllLines(Path.of("guard-eval/fresh-pii-round3.jsonl")).stream()
                .filter(l -> l.contains("\"spans\": []") || l.contains("\"spans\":[]")).count();
        md.append(String.format(Locale.ROOT, "%nPII round 3: %d false positives; %d of %d negative sentences left "
                + "alone.%n", piiTest.fp(), piiTest.tn(), negatives));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/fresh-guardrails.md"), md);
        System.out.println(md);
        injTest.misses().forEach(m -> System.out.println("round4 " + m));
        piiTest.misses().forEach(m -> System.out.println("test pii " + m));
        // The goal of issue 17.
        assertTrue(injTest.recall() >= 0.8 && injTest.precision() >= 0.9, "injection on the test split: " + injTest);
        assertTrue(piiTest.recall() >= 0.95, "PII recall on the test split: " + piiTest);
        assertTrue(piiTest.fp() <= Math.max(1, negatives / 24), "PII false positives on the test split: " + piiTest);
    }
}
