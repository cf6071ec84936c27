package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Our GGUF reader against llama.cpp's own Python reader (gguf-py) on the shipped model: the same metadata
 * keys (and kinds of value), and for every tensor the same name, ggml type, shape, byte size and data
 * offset. Golden file made by {@code goldens/make_goldens.sh}.
 */
class GgufHeaderGoldenTest {
    @Test
    void readsTheShippedModelAsGgufPyDoes() throws Exception {
        String model = System.getenv("RAG_GENERATION_MODEL_PATH");
        Assumptions.assumeTrue(model != null && Files.isRegularFile(Path.of(model)),
                "RAG_GENERATION_MODEL_PATH not set (./rag test sets it)");
        JsonNode golden = new ObjectMapper().readTree(Path.of("goldens/smollm2-gguf-header.json").toFile());
        GgufHeader h = GgufHeader.read(Path.of(model));
        assertEquals(golden.get("version").asInt(), h.version());

        List<String> keys = new ArrayList<>();
        golden.get("metadata").fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, new ArrayList<>(h.metadata().keySet()));
        for (Map.Entry<String, Object> e : h.metadata().entrySet()) {
            String expected = golden.get("metadata").get(e.getKey()).asText();
            String kind = switch (e.getValue()) {
                case String s -> "string";
                case GgufHeader.ArrayInfo a -> "array";
                case Boolean b -> "bool";
                case Double d -> expected.startsWith("float") ? expected : "float";
                case Long l -> expected.matches("u?int(8|16|32|64)") ? expected : "integer";
                default -> "unknown";
            };
            assertEquals(expected, kind, e.getKey());
        }

        JsonNode tensors = golden.get("tensors");
        assertEquals(tensors.size(), h.tensors().size());
        for (int i = 0; i < tensors.size(); i++) {
            JsonNode t = tensors.get(i);
            GgufHeader.TensorInfo ours = h.tensors().get(i);
            assertEquals(t.get("name").asText(), ours.name());
            assertEquals(t.get("type").asInt(), ours.type().id(), ours.name());
            long[] shape = new long[t.get("shape").size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = t.get("shape").get(d).asLong();
            }
            assertArrayEquals(shape, ours.shape(), ours.name());
            assertEquals(t.get("bytes").asLong(), ours.bytes(), ours.name());
            assertEquals(t.get("data_offset").asLong(), h.dataOffset() + ours.offset(), ours.name());
        }
    }
}
