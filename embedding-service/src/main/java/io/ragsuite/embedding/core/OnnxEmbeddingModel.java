package io.ragsuite.embedding.core;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT-style encoder exported to ONNX, run by ONNX Runtime, with the Hugging Face tokenizer of the same
 * model (through DJL's binding of the Rust {@code tokenizers} library, so tokenization matches the Python
 * reference exactly).
 */
public final class OnnxEmbeddingModel implements EmbeddingModel {
    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String TOKEN_TYPE_IDS = "token_type_ids";

    private final ModelSpec spec;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean wantsTokenTypes;
    private final int dimension;
    private final OrtRuntime.ProviderChoice provider;

    private OnnxEmbeddingModel(ModelSpec spec, HuggingFaceTokenizer tokenizer, OrtEnvironment environment,
            OrtSession session, OrtRuntime.ProviderChoice provider) throws OrtException {
        this.spec = spec;
        this.provider = provider;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;
        this.wantsTokenTypes = session.getInputNames().contains(TOKEN_TYPE_IDS);
        TensorInfo output = (TensorInfo) session.getOutputInfo().values().iterator().next().getInfo();
        long[] shape = output.getShape();
        this.dimension = (int) shape[shape.length - 1];
        if (dimension <= 0) {
            throw new IllegalStateException("model " + spec.name() + " has no fixed output dimension: "
                    + java.util.Arrays.toString(shape));
        }
    }

    /**
     * Loads a model.
     *
     * @param onnx          the ONNX graph, whose first output is the token embeddings [batch, seq, dim]
     * @param tokenizerJson a Hugging Face {@code tokenizer.json}
     * @param runtime       threads and execution provider for ONNX Runtime
     */
    public static OnnxEmbeddingModel load(ModelSpec spec, byte[] onnx, InputStream tokenizerJson, OrtRuntime runtime)
            throws IOException, OrtException {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "padding", "false",
                "maxLength", Integer.toString(spec.maxTokens())));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtRuntime.ProviderChoice provider = runtime.configure(options);
            OrtSession session = env.createSession(onnx, options);
            return new OnnxEmbeddingModel(spec, tokenizer, env, session, provider);
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String backend() {
        return "onnxruntime-" + provider.active().label();
    }

    /** The execution provider asked for and the one in use, with the reason when they differ. */
    public OrtRuntime.ProviderChoice provider() {
        return provider;
    }

    @Override
    public List<TokenizedText> tokenize(List<String> texts) {
        List<TokenizedText> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            Encoding encoding = tokenizer.encode(text);
            out.add(new TokenizedText(encoding.getIds(), encoding.getTypeIds(), encoding.exceedMaxLength()));
        }
        return out;
    }

    @Override
    public float[][] embed(List<TokenizedText> tokens) {
        int batch = tokens.size();
        int seq = tokens.stream().mapToInt(TokenizedText::length).max().orElse(0);
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        long[] types = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            TokenizedText t = tokens.get(b);
            System.arraycopy(t.ids(), 0, ids, b * seq, t.length());
            System.arraycopy(t.typeIds(), 0, types, b * seq, t.length());
            java.util.Arrays.fill(mask, b * seq, b * seq + t.length(), 1L);
        }
        long[] shape = {batch, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (wantsTokenTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                return pool(hidden, mask, batch, seq);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on model " + spec.name() + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private float[][] pool(FloatBuffer hidden, long[] mask, int batch, int seq) {
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            float[] v = new float[dimension];
            int base = b * seq * dimension;
            if (spec.pooling() == Pooling.CLS) {
                hidden.get(base, v, 0, dimension);
            } else {
                int count = 0;
                for (int s = 0; s < seq; s++) {
                    if (mask[b * seq + s] == 0) {
                        continue;
                    }
                    count++;
                    int offset = base + s * dimension;
                    for (int d = 0; d < dimension; d++) {
                        v[d] += hidden.get(offset + d);
                    }
                }
                float inv = 1f / Math.max(1, count);
                for (int d = 0; d < dimension; d++) {
                    v[d] *= inv;
                }
            }
            if (spec.normalize()) {
                normalize(v);
            }
            out[b] = v;
        }
        return out;
    }

    static void normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        // Same epsilon as torch.nn.functional.normalize, which sentence-transformers uses.
        float inv = (float) (1.0 / Math.max(norm, 1e-12));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // Closing at shutdown; nothing useful to do with the failure.
        }
        tokenizer.close();
    }
}
