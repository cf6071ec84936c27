package io.ragsuite.embedding;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.kserve.v2.GRPCInferenceServiceGrpc;
import io.ragsuite.api.kserve.v2.InferTensorContents;
import io.ragsuite.api.kserve.v2.ModelInferRequest;
import io.ragsuite.api.kserve.v2.ModelInferResponse;
import io.ragsuite.api.kserve.v2.ModelMetadataRequest;
import io.ragsuite.api.kserve.v2.ModelReadyRequest;
import io.ragsuite.api.kserve.v2.ServerLiveRequest;
import io.ragsuite.api.kserve.v2.ServerReadyRequest;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbeddingServiceGrpc;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same vectors through all three protocols: our gRPC, KServe v2 (gRPC and REST) and OpenAI. */
@QuarkusTest
class ProtocolsTest {
    private static final String MODEL = "all-minilm-l6-v2";
    private static final List<String> TEXTS = List.of("hello world", "¿Dónde está la biblioteca?");

    @GrpcClient("self")
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub v2;
    @GrpcClient("self")
    EmbeddingServiceGrpc.EmbeddingServiceBlockingStub ours;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private List<List<Float>> reference() {
        return ours.embed(EmbedRequest.newBuilder().addAllTexts(TEXTS).build()).getEmbeddingsList().stream()
                .map(e -> e.getValuesList()).toList();
    }

    private static void assertSame(List<List<Float>> expected, float[] flat) {
        assertEquals(expected.size() * 384, flat.length);
        for (int i = 0; i < expected.size(); i++) {
            for (int d = 0; d < 384; d++) {
                assertEquals(expected.get(i).get(d), flat[i * 384 + d], 1e-6);
            }
        }
    }

    private static ModelInferRequest.InferInputTensor.Builder textInput(long... shape) {
        ModelInferRequest.InferInputTensor.Builder b = ModelInferRequest.InferInputTensor.newBuilder().setName("text")
                .setDatatype("BYTES");
        for (long s : shape) {
            b.addShape(s);
        }
        return b;
    }

    @Test
    void kserveV2GrpcHealthMetadataAndInferWithTypedContents() {
        assertTrue(v2.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(v2.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(v2.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady());
        assertTrue(!v2.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()).getReady());
        var meta = v2.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
        assertEquals("BYTES", meta.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 384L), meta.getOutputs(0).getShapeList());

        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        TEXTS.forEach(t -> contents.addBytesContents(ByteString.copyFromUtf8(t)));
        ModelInferResponse r = v2.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL).setId("req-1")
                .addInputs(textInput(2).setContents(contents)).build());
        assertEquals("req-1", r.getId());
        assertEquals(List.of(2L, 384L), r.getOutputs(0).getShapeList());
        List<Float> values = r.getOutputs(0).getContents().getFp32ContentsList();
        float[] flat = new float[values.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = values.get(i);
        }
        assertSame(reference(), flat);
    }

    @Test
    void kserveV2GrpcRawContentsAsTritonClientsSendThem() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (String t : TEXTS) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            raw.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            raw.write(b);
        }
        ModelInferResponse r = v2.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
                .addInputs(textInput(2, 1)).addRawInputContents(ByteString.copyFrom(raw.toByteArray())).build());
        ByteBuffer out = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] flat = new float[out.remaining() / 4];
        out.asFloatBuffer().get(flat);
        assertSame(reference(), flat);
    }

    @Test
    void kserveV2GrpcBadInput() {
        expect("not valid UTF-8", ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(textInput(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(new byte[] {(byte) 0xC3, 0x28})))));
        expect("does not match", ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(textInput(3)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("a")))));
        expect("datatype FP32", ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(textInput(1).setDatatype("FP32")));
        expect("unknown output", ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(textInput(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("a"))))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits")));
        expect("claims", ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(textInput(1))
                .addRawInputContents(ByteString.copyFrom(new byte[] {9, 0, 0, 0, 'a'})));
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> v2.modelInfer(
                ModelInferRequest.newBuilder().setModelName("nope").addInputs(textInput(1).setContents(
                        InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("a")))).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    private void expect(String message, ModelInferRequest.Builder request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> v2.modelInfer(request.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    @Test
    void kserveV2Rest() {
        given().get("/v2/health/live").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(200);
        given().get("/v2/models/" + MODEL + "/ready").then().statusCode(200);
        given().get("/v2/models/nope/ready").then().statusCode(404);
        given().get("/v2/models/" + MODEL).then().statusCode(200).body("platform", equalTo("onnxruntime_onnx"))
                .body("outputs[0].shape", equalTo(List.of(-1, 384)));
        List<Float> data = given().contentType(ContentType.JSON)
                .body("{\"id\":\"x\",\"inputs\":[{\"name\":\"text\",\"shape\":[2],\"datatype\":\"BYTES\","
                        + "\"data\":[\"hello world\",\"¿Dónde está la biblioteca?\"]}]}")
                .post("/v2/models/" + MODEL + "/infer").then().statusCode(200)
                .body("id", equalTo("x")).body("outputs[0].shape", equalTo(List.of(2, 384)))
                .extract().jsonPath().getList("outputs[0].data", Float.class);
        float[] flat = new float[data.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = data.get(i);
        }
        assertSame(reference(), flat);
        given().contentType(ContentType.JSON)
                .body("{\"inputs\":[{\"name\":\"text\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}")
                .post("/v2/models/nope/infer").then().statusCode(404).body("error", containsString("unknown model"));
        given().contentType(ContentType.JSON)
                .body("{\"inputs\":[{\"name\":\"text\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}")
                .post("/v2/models/" + MODEL + "/infer").then().statusCode(400)
                .contentType("application/problem+json").body("error", containsString("does not match"));
    }

    @Test
    void openAiEmbeddings() {
        List<Float> one = given().contentType(ContentType.JSON).body("{\"input\":\"hello world\",\"model\":\"" + MODEL + "\"}")
                .post("/v1/embeddings").then().statusCode(200)
                .body("object", equalTo("list")).body("data", hasSize(1)).body("data[0].object", equalTo("embedding"))
                .body("usage.prompt_tokens", equalTo(4))
                .extract().jsonPath().getList("data[0].embedding", Float.class);
        float[] flat = new float[one.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = one.get(i);
        }
        assertSame(reference().subList(0, 1), flat);

        String b64 = given().contentType(ContentType.JSON)
                .body("{\"input\":[\"hello world\",\"¿Dónde está la biblioteca?\"],\"encoding_format\":\"base64\"}")
                .post("/v1/embeddings").then().statusCode(200).body("data", hasSize(2))
                .extract().jsonPath().getString("data[1].embedding");
        float[] decoded = new float[384];
        ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(decoded);
        assertSame(reference().subList(1, 2), decoded);

        given().contentType(ContentType.JSON).body("{\"input\":[1,2,3]}").post("/v1/embeddings").then().statusCode(400)
                .body("detail", containsString("token ids"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"dimensions\":128}").post("/v1/embeddings").then()
                .statusCode(400).body("detail", containsString("dimensions"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"model\":\"gpt\"}").post("/v1/embeddings").then()
                .statusCode(404);
    }
}
