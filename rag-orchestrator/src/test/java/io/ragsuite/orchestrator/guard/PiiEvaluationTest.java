package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Scores the PII redactor on the labelled set {@code guard-eval/pii-eval.jsonl} (made from FOLDOC sentences by
 * {@code guard-eval/make_sets.sh}): precision and recall per type, a finding counting only with the exact type and
 * span. Writes the table to {@code target/pii-eval.md} (quoted in docs/security.md) and holds the totals to floors
 * a few points under what was measured, so a regression in any detector fails the build.
 */
class PiiEvaluationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void precisionAndRecallOnTheLabelledSet() throws IOException {
        DefaultPiiRedactor redactor = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.MASK, "ES", null);
        Map<String, int[]> byType = new TreeMap<>(); // tp, fp, fn
        int plainRows = 0;
        int plainFindings = 0;
        List<String> examples = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("guard-eval/pii-eval.jsonl"))) {
            JsonNode row = JSON.readTree(line);
            String text = row.get("text").asText();
            List<String> gold = new ArrayList<>();
            row.get("spans").forEach(s -> gold.add(s.get("type").asText() + "@" + s.get("start").asInt() + "-" + s.get("end").asInt()));
            List<PiiFinding> found = redactor.find(text);
            if (row.get("kind").asText().equals("plain")) {
                plainRows++;
                plainFindings += found.size();
            }
            for (PiiFinding f : found) {
                String key = f.type() + "@" + f.start() + "-" + f.end();
                int[] c = byType.computeIfAbsent(f.type().name(), t -> new int[3]);
                if (gold.remove(key)) {
                    c[0]++;
                } else {
                    c[1]++;
                    if (examples.size() < 15) {
                        examples.add("FP " + f.type() + " '" + text.substring(f.start(), f.end()) + "' in: " + text);
                    }
                }
            }
            for (String missed : gold) {
                byType.computeIfAbsent(missed.substring(0, missed.indexOf('@')), t -> new int[3])[2]++;
                if (examples.size() < 15) {
                    examples.add("FN " + missed + " in: " + text);
                }
            }
        }
        StringBuilder md = new StringBuilder("| type | true pos. | false pos. | false neg. | precision | recall |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        int[] total = new int[3];
        for (var e : byType.entrySet()) {
            int[] c = e.getValue();
            md.append(row(e.getKey(), c));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        }
        md.append(row("**all**", total));
        md.append("\nPlain FOLDOC sentences: ").append(plainRows).append(", findings in them: ").append(plainFindings).append('\n');
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/pii-eval.md"), md);
        System.out.println(md);
        examples.forEach(System.out::println);
        double precision = total[0] / (double) (total[0] + total[1]);
        double recall = total[0] / (double) (total[0] + total[2]);
        assertTrue(precision >= 0.98, "precision " + precision);
        assertTrue(recall >= 0.98, "recall " + recall);
    }

    private static String row(String type, int[] c) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %.3f |%n", type, c[0], c[1], c[2],
                c[0] / (double) Math.max(1, c[0] + c[1]), c[0] / (double) Math.max(1, c[0] + c[2]));
    }
}
