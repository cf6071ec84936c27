package io.ragsuite.embedding.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where a model's files come from: a model built into the service (ONNX graph and tokenizer as classpath
 * resources) or a folder of a model repository, as in Triton: {@code <repository>/<name>/model.onnx},
 * {@code tokenizer.json} and {@code model.properties} ({@code pooling=mean|cls}, {@code normalize=true},
 * {@code max_tokens=256}, optionally {@code dimension=384} to check the graph against).
 */
public record ModelSource(ModelSpec spec, String onnxResource, String tokenizerResource, Path folder,
        Integer expectedDimension) {

    /** The models that ship inside the service, by name. */
    public static final Map<String, ModelSource> BUILTIN = Map.of(
            "all-minilm-l6-v2", builtin("all-minilm-l6-v2", Pooling.MEAN, 256, 0),
            // Dynamically quantized: one text per call keeps its vector independent of its batch neighbours.
            "all-minilm-l6-v2-q", builtin("all-minilm-l6-v2-q", Pooling.MEAN, 256, 1),
            "bge-small-en", builtin("bge-small-en", Pooling.CLS, 512, 0));

    private static ModelSource builtin(String name, Pooling pooling, int maxTokens, int maxTextsPerCall) {
        return new ModelSource(new ModelSpec(name, pooling, true, maxTokens, maxTextsPerCall), name + ".onnx",
                name + "-tokenizer.json", null, null);
    }

    /** Every model folder of a repository (sub-folders holding model.onnx), sorted by name. */
    public static List<ModelSource> scan(Path repository) throws IOException {
        List<ModelSource> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(repository)) {
            for (Path folder : children.sorted().toList()) {
                if (Files.isRegularFile(folder.resolve("model.onnx"))) {
                    out.add(fromFolder(folder));
                }
            }
        }
        return out;
    }

    static ModelSource fromFolder(Path folder) throws IOException {
        Properties p = new Properties();
        Path config = folder.resolve("model.properties");
        if (Files.isRegularFile(config)) {
            try (Reader r = Files.newBufferedReader(config)) {
                p.load(r);
            }
        }
        String name = folder.getFileName().toString();
        try {
            Pooling pooling = Pooling.valueOf(p.getProperty("pooling", "mean").strip().toUpperCase(Locale.ROOT));
            boolean normalize = Boolean.parseBoolean(p.getProperty("normalize", "true").strip());
            int maxTokens = Integer.parseInt(p.getProperty("max_tokens", "256").strip());
            int maxTextsPerCall = Integer.parseInt(p.getProperty("max_texts_per_call", "0").strip());
            String dim = p.getProperty("dimension");
            return new ModelSource(new ModelSpec(name, pooling, normalize, maxTokens, maxTextsPerCall), null, null,
                    folder,
                    dim == null ? null : Integer.parseInt(dim.strip()));
        } catch (IllegalArgumentException e) {
            throw new IOException("model folder " + folder + ": bad model.properties: " + e.getMessage(), e);
        }
    }

    /** Loads the model with ONNX Runtime. */
    public OnnxEmbeddingModel load(ClassLoader resources, OrtRuntime runtime) throws Exception {
        OnnxEmbeddingModel model;
        if (folder != null) {
            try (InputStream tokenizer = Files.newInputStream(folder.resolve("tokenizer.json"))) {
                model = OnnxEmbeddingModel.load(spec, Files.readAllBytes(folder.resolve("model.onnx")), tokenizer, runtime);
            }
        } else {
            try (InputStream onnx = resource(resources, onnxResource);
                    InputStream tokenizer = resource(resources, tokenizerResource)) {
                model = OnnxEmbeddingModel.load(spec, onnx.readAllBytes(), tokenizer, runtime);
            }
        }
        if (expectedDimension != null && expectedDimension != model.dimension()) {
            model.close();
            throw new IOException("model " + spec.name() + " outputs " + model.dimension() + "-d vectors but "
                    + "model.properties says dimension=" + expectedDimension);
        }
        return model;
    }

    private static InputStream resource(ClassLoader cl, String name) throws IOException {
        InputStream in = cl.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is not on the classpath");
        }
        return in;
    }
}
