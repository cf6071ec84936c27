package io.ragsuite.embedding.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model repository folder, as mounted from a volume: each sub-folder with model.onnx, tokenizer.json and
 * model.properties becomes a model. (A Quarkus test only because the tokenizer's native library can be
 * loaded by one class loader, which the other tests of this module use.)
 */
@QuarkusTest
class ModelRepositoryTest {
    private static final OrtRuntime ONE_THREAD = new OrtRuntime(1, OrtRuntime.ExecutionProvider.CPU, 0, true);

    @TempDir
    Path repository;

    private void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }

    private Path modelFolder(String name, String properties) throws IOException {
        Path folder = Files.createDirectories(repository.resolve(name));
        copyResource("all-minilm-l6-v2-q.onnx", folder.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-q-tokenizer.json", folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("model.properties"), properties);
        return folder;
    }

    @Test
    void foldersAreScannedParsedAndLoaded() throws Exception {
        modelFolder("mounted-minilm", "pooling=mean\nnormalize=true\nmax_tokens=128\ndimension=384\n");
        Files.createDirectories(repository.resolve("not-a-model"));
        List<ModelSource> sources = ModelSource.scan(repository);
        assertEquals(1, sources.size());
        ModelSpec spec = sources.get(0).spec();
        assertEquals("mounted-minilm", spec.name());
        assertEquals(Pooling.MEAN, spec.pooling());
        assertEquals(128, spec.maxTokens());
        try (EmbeddingModel model = sources.get(0).load(getClass().getClassLoader(), ONE_THREAD)) {
            float[][] v = model.embed(model.tokenize(List.of("hello from a mounted folder")));
            assertEquals(384, v[0].length);
            double norm = 0;
            for (float x : v[0]) {
                norm += x * x;
            }
            assertEquals(1.0, norm, 1e-4);
            assertTrue(model.tokenize(List.of("word ".repeat(200))).get(0).truncated(), "max_tokens=128 applies");
        }
    }

    @Test
    void aWrongDimensionOrBadPropertiesAreRefused() throws Exception {
        modelFolder("wrong-dim", "dimension=768\n");
        IOException dim = assertThrows(IOException.class,
                () -> ModelSource.scan(repository).get(0).load(getClass().getClassLoader(), ONE_THREAD));
        assertTrue(dim.getMessage().contains("dimension=768"), dim.getMessage());
        modelFolder("bad-pooling", "pooling=max\n");
        IOException bad = assertThrows(IOException.class, () -> ModelSource.scan(repository));
        assertTrue(bad.getMessage().contains("bad model.properties"), bad.getMessage());
    }

    /** This build carries the CPU-only ONNX Runtime, so asking for CUDA must fall back and say why. */
    @Test
    void cudaRequestFallsBackToCpuWithReason() throws Exception {
        modelFolder("gpu-wanted", "pooling=mean\n");
        ModelSource source = ModelSource.scan(repository).get(0);
        OrtRuntime cuda = new OrtRuntime(1, OrtRuntime.ExecutionProvider.CUDA, 0, true);
        try (OnnxEmbeddingModel model = source.load(getClass().getClassLoader(), cuda)) {
            assertEquals(OrtRuntime.ExecutionProvider.CUDA, model.provider().requested());
            assertEquals(OrtRuntime.ExecutionProvider.CPU, model.provider().active());
            assertTrue(model.provider().fellBack());
            assertTrue(model.provider().fallbackReason().contains("no CUDA provider"),
                    model.provider().fallbackReason());
            assertEquals("onnxruntime-cpu", model.backend());
            float[][] vectors = model.embed(model.tokenize(List.of("still works on CPU")));
            assertEquals(1, vectors.length);
            assertEquals(384, vectors[0].length);
        }
        OrtRuntime strict = new OrtRuntime(1, OrtRuntime.ExecutionProvider.CUDA, 0, false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> source.load(getClass().getClassLoader(), strict));
        assertTrue(e.getMessage().contains("CPU fallback is disabled"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OrtRuntime.ExecutionProvider.parse("tpu"));
    }
}
