package io.ragsuite.embedding;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbedResponse;
import io.ragsuite.api.v1.EmbeddingServiceGrpc;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service's vectors against golden vectors from reference implementations (made by
 * {@code embedding-service/goldens/make_goldens.sh}, which records the package versions in each file):
 * sentence-transformers with the PyTorch weights of all-MiniLM-L6-v2, and Hugging Face tokenizers +
 * onnxruntime for bge-small-en. Every text must reach the model's cosine bound and the same token count,
 * including texts cut at the token limit, non-English text and emoji.
 */
@QuarkusTest
class GoldenVectorsTest {
    @GrpcClient("self")
    EmbeddingServiceGrpc.EmbeddingServiceBlockingStub grpc;

    private record Golden(String text, int tokens, float[] vector) {
    }

    private static List<Golden> goldens(String file) throws Exception {
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/goldens/" + file)) {
            JsonNode doc = new ObjectMapper().readTree(in);
            List<Golden> out = new ArrayList<>();
            for (JsonNode item : doc.get("items")) {
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(item.get("vector").asText()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[bytes.remaining() / Float.BYTES];
                bytes.asFloatBuffer().get(v);
                out.add(new Golden(item.get("text").asText(), item.get("tokens").asInt(), v));
            }
            return out;
        }
    }

    /**
     * all-MiniLM-L6-v2 and bge-small-en (fp32) must match their references to cosine 0.9999 on every text.
     * The int8 all-MiniLM-L6-v2 is compared with the fp32 reference: mean cosine >= 0.99 and no text under
     * 0.96. The issue asks 0.99 per text, which this quantized file cannot give: Python's own onnxruntime
     * 1.32 on it, one text per call, measures worst 0.964, mean 0.9906, 70 of the 259 texts under 0.99, and
     * so does this service (worst 0.9638, mean 0.9906), which runs dynamically quantized models one text per
     * call. (Batched, the int8 vectors depend on their batch neighbours: worst fell to 0.945.) Those bounds
     * are the measured quality of the artifact, not a goal.
     */
    @ParameterizedTest
    @CsvSource({
            "all-minilm-l6-v2, all-minilm-l6-v2.json, 0.9999, 0.9999",
            "bge-small-en, bge-small-en.json, 0.9999, 0.9999",
            "all-minilm-l6-v2-q, all-minilm-l6-v2.json, 0.96, 0.99"})
    void everyGoldenTextMatchesTheReference(String model, String file, double minCosine, double minMean)
            throws Exception {
        await().atMost(Duration.ofSeconds(180)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        List<Golden> goldens = goldens(file);
        assertTrue(goldens.size() >= 200, "golden set has " + goldens.size() + " texts");
        double worst = 1;
        double sum = 0;
        String worstText = null;
        int truncated = 0;
        for (int from = 0; from < goldens.size(); from += 32) {
            List<Golden> batch = goldens.subList(from, Math.min(goldens.size(), from + 32));
            EmbedResponse r = grpc.embed(EmbedRequest.newBuilder().setTruncate(true).setModel(model)
                    .addAllTexts(batch.stream().map(Golden::text).toList()).build());
            for (int i = 0; i < batch.size(); i++) {
                Golden g = batch.get(i);
                List<Float> got = r.getEmbeddings(i).getValuesList();
                assertEquals(g.vector().length, got.size());
                double dot = 0;
                for (int d = 0; d < got.size(); d++) {
                    dot += got.get(d) * g.vector()[d];
                }
                sum += dot;
                if (dot < worst) {
                    worst = dot;
                    worstText = g.text();
                }
                assertEquals(g.tokens(), r.getEmbeddings(i).getTokenCount(), "token count of: " + g.text());
                if (r.getEmbeddings(i).getTruncated()) {
                    truncated++;
                }
            }
        }
        double mean = sum / goldens.size();
        System.out.printf("golden vectors %s vs %s: %d texts, %d truncated, worst cosine %.7f, mean %.7f%n", model,
                file, goldens.size(), truncated, worst, mean);
        assertTrue(worst >= minCosine, model + ": worst cosine " + worst + " for: " + worstText);
        assertTrue(mean >= minMean, model + ": mean cosine " + mean);
        assertTrue(truncated > 0, "the set includes texts over the token limit");
    }
}
