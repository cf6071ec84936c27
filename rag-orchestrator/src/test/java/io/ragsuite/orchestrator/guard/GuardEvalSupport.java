package io.ragsuite.orchestrator.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.ragsuite.orchestrator.app.PipelineProducer;
import io.ragsuite.orchestrator.retrieve.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The injection detector as the service builds it, over all-MiniLM-L6-v2 in-process (LangChain4j's packaging of the
 * model the embedding service serves), and variants trained without one split, for the evaluations. Vectors are
 * cached across detectors: training embeds a few thousand sentences.
 */
final class GuardEvalSupport {
    static final double THRESHOLD = 0.9;
    static final double RULE_VETO = 0.1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, float[]> VECTORS = new ConcurrentHashMap<>();
    private static final Map<String, DefaultInjectionDetector> DETECTORS = new ConcurrentHashMap<>();
    private static AllMiniLmL6V2EmbeddingModel model;

    record Row(String kind, int label, String text) {
    }

    private GuardEvalSupport() {
    }

    static synchronized Embedder embedder() {
        if (model == null) {
            model = new AllMiniLmL6V2EmbeddingModel();
        }
        AllMiniLmL6V2EmbeddingModel m = model;
        return texts -> {
            List<String> missing = texts.stream().filter(t -> !VECTORS.containsKey(t)).distinct().toList();
            if (!missing.isEmpty()) {
                var vectors = m.embedAll(missing.stream().map(TextSegment::from).toList()).content();
                for (int i = 0; i < missing.size(); i++) {
                    VECTORS.put(missing.get(i), vectors.get(i).vector());
                }
            }
            return CompletableFuture.completedFuture(new Embedder.Embeddings(texts.stream().map(VECTORS::get).toList(),
                    "all-minilm-l6-v2"));
        };
    }

    /** The shipped detector: trained on the seeds, the look-alikes and every training split. */
    static DefaultInjectionDetector shippedDetector() {
        return DETECTORS.computeIfAbsent("", k -> detector(PipelineProducer.injectionExemplars(Optional.empty(),
                Optional.empty(), PipelineProducer.INJECTION_TRAINING_SETS)));
    }

    /**
     * Trained as shipped but without {@code set} (a file of guard-eval), and without any seed or look-alike taken from
     * it: the cross-validated figure for a split that is also training data.
     */
    static DefaultInjectionDetector detectorTrainedWithout(String set) {
        return DETECTORS.computeIfAbsent(set, k -> {
            List<String> left = rows(set).stream().map(Row::text).toList();
            List<String> sets = PipelineProducer.INJECTION_TRAINING_SETS.stream().filter(s -> !s.equals(set)).toList();
            List<InjectionExemplar> exemplars = PipelineProducer.injectionExemplars(Optional.empty(), Optional.empty(), sets)
                    .stream().filter(x -> left.stream().noneMatch(t -> t.contains(x.text()))).toList();
            return detector(exemplars);
        });
    }

    private static DefaultInjectionDetector detector(List<InjectionExemplar> exemplars) {
        DefaultInjectionDetector d = new DefaultInjectionDetector(embedder(), exemplars, THRESHOLD, RULE_VETO, 64);
        d.warmUp().toCompletableFuture().join();
        return d;
    }

    /** The rows of {@code guard-eval/<file>}. */
    static List<Row> rows(String file) {
        List<Row> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("guard-eval", file))) {
                if (!line.isBlank()) {
                    JsonNode r = JSON.readTree(line);
                    rows.add(new Row(r.get("kind").asText(), r.get("label").asInt(), r.get("text").asText()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** The detector's verdicts on the rows, 32 texts per call as a query's question and passages would be. */
    static List<InjectionCheck> check(DefaultInjectionDetector detector, List<Row> rows) {
        List<InjectionCheck> out = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += 32) {
            out.addAll(detector.check(rows.subList(from, Math.min(rows.size(), from + 32)).stream().map(Row::text)
                    .toList()).toCompletableFuture().join());
        }
        return out;
    }
}
