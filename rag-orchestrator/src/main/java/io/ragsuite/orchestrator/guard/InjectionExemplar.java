package io.ragsuite.orchestrator.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled text the injection classifier is trained on.
 *
 * @param attack whether it is a prompt injection
 * @param hidden an attack hidden somewhere in a longer passage (an indirect injection), so that only one of its
 *               sentences need be the attack
 */
public record InjectionExemplar(String text, boolean attack, boolean hidden) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static InjectionExemplar attack(String text) {
        return new InjectionExemplar(text, true, false);
    }

    public static InjectionExemplar benign(String text) {
        return new InjectionExemplar(text, false, false);
    }

    /**
     * JSON lines {@code {"text": ..., "label": 1|0, "kind": ...}} (the guard-eval format); kind {@code indirect} marks
     * an attack hidden in a passage, any other kind or none a text that is an attack or not as a whole.
     *
     * @param source named in errors
     */
    public static List<InjectionExemplar> readJsonLines(InputStream in, String source) throws IOException {
        List<InjectionExemplar> out = new ArrayList<>();
        int lineNo = 0;
        String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String line : (all.startsWith("\uFEFF") ? all.substring(1) : all).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(source + " line " + lineNo + " is not JSON: " + e.getOriginalMessage());
            }
            JsonNode text = row.get("text");
            JsonNode label = row.get("label");
            if (text == null || !text.isTextual() || text.asText().isBlank() || label == null
                    || !label.isInt() || !(label.asInt() == 0 || label.asInt() == 1)) {
                throw new IllegalArgumentException(source + " line " + lineNo
                        + " needs a non-empty \"text\" and a \"label\" of 0 or 1");
            }
            boolean attack = label.asInt() == 1;
            out.add(new InjectionExemplar(text.asText(), attack, attack && "indirect".equals(row.path("kind").asText())));
        }
        return out;
    }
}
