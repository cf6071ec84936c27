package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The logistic regression against scikit-learn's on the same data ({@code guard/logreg-golden.json}, made by
 * {@code guard-eval/make_classifier_golden.py}), and the bag step that finds the attack sentence in a passage.
 */
class InjectionClassifierTest {

    @Test
    void fitsWhatScikitLearnFits() throws IOException {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("/guard/logreg-golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        List<float[]> neg = new ArrayList<>();
        List<float[]> pos = new ArrayList<>();
        List<float[]> all = new ArrayList<>();
        for (int i = 0; i < golden.get("x").size(); i++) {
            JsonNode row = golden.get("x").get(i);
            float[] v = new float[row.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) row.get(j).asDouble();
            }
            all.add(v);
            (golden.get("y").get(i).asInt() == 1 ? pos : neg).add(v);
        }
        InjectionClassifier model = InjectionClassifier.fit(neg, pos, List.of(), golden.get("C").asDouble());
        double worst = 0;
        for (int i = 0; i < all.size(); i++) {
            worst = Math.max(worst, Math.abs(model.probability(all.get(i)) - golden.get("probability").get(i).asDouble()));
        }
        assertTrue(worst < 1e-4, "largest difference from scikit-learn's probabilities: " + worst);
    }

    @Test
    void aHiddenAttackIsLearnedFromItsSentenceNotTheWholePassage() {
        // Benign texts point along axis 0; attacks along axis 1. Each passage holds one attack sentence among benign
        // ones; after the bag rounds the attack direction is learned, not the benign sentences beside it.
        List<float[]> benign = new ArrayList<>();
        List<List<float[]>> hidden = new ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 60; i++) {
            benign.add(unit(1, 0.3 * random.nextGaussian(), 0.3 * random.nextGaussian()));
        }
        for (int i = 0; i < 20; i++) {
            hidden.add(List.of(unit(1, 0.3 * random.nextGaussian(), 0.3 * random.nextGaussian()),
                    unit(0.2 * random.nextGaussian(), 1, 0.3 * random.nextGaussian()),
                    unit(1, 0.3 * random.nextGaussian(), 0.3 * random.nextGaussian())));
        }
        InjectionClassifier model = InjectionClassifier.fit(benign, List.of(), hidden, 3);
        assertTrue(model.probability(unit(0, 1, 0)) > 0.9, "attack direction " + model.probability(unit(0, 1, 0)));
        assertTrue(model.probability(unit(1, 0, 0)) < 0.1, "benign direction " + model.probability(unit(1, 0, 0)));
    }

    @Test
    void needsBothKinds() {
        assertThrows(IllegalArgumentException.class, () -> InjectionClassifier.fit(List.of(), List.of(unit(1, 0, 0)),
                List.of(), 1));
    }

    private static float[] unit(double... v) {
        double n = Math.sqrt(java.util.Arrays.stream(v).map(x -> x * x).sum());
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}
