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
import org.junit.jupiter.api.Test;

/**
 * The service's vectors against golden vectors from the reference implementation, sentence-transformers
 * with the PyTorch weights of all-MiniLM-L6-v2 (made by {@code embedding-service/goldens/make_goldens.sh},
 * which records the package versions in the file): every text must reach cosine >= 0.9999 and the same
 * token count, including texts cut at the 256-token limit, non-English text and emoji.
 */
@QuarkusTest
class GoldenVectorsTest {
    private static final double MIN_COSINE = 0.9999;

    @GrpcClient("self")
    EmbeddingServiceGrpc.EmbeddingServiceBlockingStub grpc;

    private record Golden(String text, int tokens, float[] vector) {
    }

    private static List<Golden> goldens() throws Exception {
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/goldens/all-minilm-l6-v2.json")) {
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

    @Test
    void everyGoldenTextMatchesTheReference() throws Exception {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        List<Golden> goldens = goldens();
        assertTrue(goldens.size() >= 200, "golden set has " + goldens.size() + " texts");
        double worst = 1;
        String worstText = null;
        int truncated = 0;
        for (int from = 0; from < goldens.size(); from += 32) {
            List<Golden> batch = goldens.subList(from, Math.min(goldens.size(), from + 32));
            EmbedResponse r = grpc.embed(EmbedRequest.newBuilder().setTruncate(true)
                    .addAllTexts(batch.stream().map(Golden::text).toList()).build());
            for (int i = 0; i < batch.size(); i++) {
                Golden g = batch.get(i);
                List<Float> got = r.getEmbeddings(i).getValuesList();
                assertEquals(g.vector().length, got.size());
                double dot = 0;
                for (int d = 0; d < got.size(); d++) {
                    dot += got.get(d) * g.vector()[d];
                }
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
        System.out.printf("golden vectors: %d texts, %d truncated, worst cosine %.7f%n", goldens.size(), truncated, worst);
        assertTrue(worst >= MIN_COSINE, "worst cosine " + worst + " for: " + worstText);
        assertTrue(truncated > 0, "the set includes texts over the token limit");
    }
}
