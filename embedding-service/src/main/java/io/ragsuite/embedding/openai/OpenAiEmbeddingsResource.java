package io.ragsuite.embedding.openai;

import io.ragsuite.embedding.app.EmbeddingMetrics;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.kserve.OpenInferenceModel;
import io.ragsuite.support.error.Require;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI-compatible {@code POST /v1/embeddings}, so the OpenAI SDKs (and LangChain, LlamaIndex, ...) can use
 * the service by changing their base URL. Inputs must be strings; token-id inputs are refused.
 */
@Path("/v1/embeddings")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiEmbeddingsResource {
    private final ModelLoader loader;
    private final EmbeddingMetrics metrics;

    public OpenAiEmbeddingsResource(ModelLoader loader, EmbeddingMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    /** @param input a string or a list of strings */
    public record EmbeddingsBody(Object input, String model, String encodingFormat, Integer dimensions, String user) {
    }

    public record Item(String object, int index, Object embedding) {
    }

    public record Usage(int promptTokens, int totalTokens) {
    }

    public record EmbeddingsReply(String object, List<Item> data, String model, Usage usage) {
    }

    @POST
    public Uni<EmbeddingsReply> embeddings(EmbeddingsBody body) {
        Require.that(body != null, "request body is required: {\"input\": ..., \"model\": ...}");
        List<String> texts = new ArrayList<>();
        if (body.input() instanceof String s) {
            texts.add(s);
        } else if (body.input() instanceof List<?> list) {
            for (Object o : list) {
                Require.that(o instanceof String, "input must be a string or a list of strings (token ids are not accepted)");
                texts.add((String) o);
            }
        } else {
            Require.that(false, "input must be a string or a list of strings");
        }
        String format = body.encodingFormat() == null ? "float" : body.encodingFormat();
        Require.that(format.equals("float") || format.equals("base64"), "encoding_format must be 'float' or 'base64'");
        int dimension = loader.engine().model(body.model()).dimension();
        Require.that(body.dimensions() == null || body.dimensions() == dimension,
                "dimensions must be " + dimension + " for this model (shortened embeddings are not supported)");
        // As OpenAI's API does not take a truncation flag, over-long inputs are cut to the model's limit.
        return Uni.createFrom().completionStage(loader.engine().embed(texts, body.model(), true)).map(result -> {
            metrics.record("openai", result);
            List<Item> items = new ArrayList<>(result.vectors().length);
            int tokens = 0;
            for (int i = 0; i < result.vectors().length; i++) {
                float[] v = result.vectors()[i];
                tokens += result.tokenCounts()[i];
                items.add(new Item("embedding", i, format.equals("float") ? v : Base64.getEncoder().encodeToString(OpenInferenceModel.littleEndian(v))));
            }
            return new EmbeddingsReply("list", items, result.model(), new Usage(tokens, tokens));
        });
    }
}
