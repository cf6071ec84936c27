package io.ragsuite.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.v1.Document;
import io.ragsuite.api.v1.IngestRequest;
import io.ragsuite.api.v1.QueryRequest;
import io.ragsuite.api.v1.RagServiceGrpc;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The orchestrator on its own, with no stage running (the test profile points its clients at closed
 * ports): input is checked before any stage is called, an unreachable stage is UNAVAILABLE, and
 * readiness says which stages are missing. The full pipeline is covered by the e2e-tests module.
 */
@QuarkusTest
class RagOrchestratorTest {
    @GrpcClient("self")
    RagServiceGrpc.RagServiceBlockingStub grpc;

    private static Response post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }

    private static void problem(Response r, int status, String detail) {
        r.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("detail", containsString(detail)).body(not(containsString("Exception")));
    }

    @Test
    void notReadyWhileStagesAreUnreachable() {
        given().get("/q/health/ready").then().statusCode(503)
                .body(containsString("pipeline-stages"))
                .body(containsString("UNREACHABLE"))
                // the injection classifier cannot be trained without the embedding stage
                .body(containsString("injection-classifier")).body(containsString("training"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void stagesAreListedAsUnreachableWhileDown() {
        given().get("/v1/rag/stages").then().statusCode(200)
                .body("all_ready", equalTo(false))
                .body("stages.client", org.hamcrest.Matchers.contains("embedding", "vector-search", "generation"))
                .body("stages.reachable", org.hamcrest.Matchers.everyItem(equalTo(false)))
                .body("stages[0].error", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void badQueriesAreRejectedBeforeAnyStageIsCalled() {
        problem(post("/v1/rag/query", "{\"question\":\"\"}"), 400, "question must not be empty");
        problem(post("/v1/rag/query", "{\"question\":\"   \"}"), 400, "question must not be empty");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"top_k\":50}"), 400, "top_k must be between 1 and 20");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"top_k\":-1}"), 400, "top_k");
        problem(post("/v1/rag/query", "{\"question\":\"" + "x".repeat(1501) + "\"}"), 400, "limit is 1500");
        problem(post("/v1/rag/query", ""), 400, "request body is required");
        problem(post("/v1/rag/query", "{\"question\":"), 400, "not valid JSON");
        problem(post("/v1/rag/query/stream", "{\"question\":\"\"}"), 400, "question must not be empty");
        // Every option is checked and named; nothing unknown is silently dropped.
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"temprature\":0}"), 400, "unknown field temprature");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"temperature\":3}"), 400, "temperature must be within");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"max_tokens\":100000}"), 400, "max_tokens");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"retrieval\":\"sparse\"}"), 400,
                "retrieval must be one of dense, bm25, hybrid");
        problem(post("/v1/rag/query", "{\"question\":\"why?\",\"retrieval\":\"dense\",\"fusion\":\"rrf\"}"), 400,
                "fusion applies only to retrieval=hybrid");
        problem(post("/v1/rag/query/stream", "{\"question\":\"why?\",\"rerank\":\"cross\"}"), 400,
                "rerank must be one of none, mmr");
        problem(post("/v1/rag/retrieve", "{\"question\":\"why?\",\"max_tokens\":10}"), 400,
                "apply only to queries that generate");
        problem(post("/v1/rag/retrieve", "{\"question\":\"why?\",\"filter\":{\"must\":[{\"equals\":1}]}}"), 400,
                "filter:");
        problem(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":5}"),
                400, "temperature must be within");
        expect(Status.Code.INVALID_ARGUMENT, "apply only to queries that generate", () -> grpc.retrieve(
                QueryRequest.newBuilder().setQuestion("q").setTemperature(1).build()));
        expect(Status.Code.INVALID_ARGUMENT, "temperature must be within", () -> grpc.query(QueryRequest.newBuilder()
                .setQuestion("q").setTemperature(9).build()));
    }

    @Test
    void aBatchAnswersEachDocumentOnItsOwn() {
        // Every document here is bad, so no stage is called; each gets its own reason, in order.
        post("/v1/documents/batch", "[{\"id\":\"a#b\",\"text\":\"x\"}, 5, {\"id\":\"ok\",\"text\":\"\"}]").then()
                .statusCode(200).body("ingested", equalTo(0)).body("failed", equalTo(3))
                .body("documents[0].error", containsString("without '#'")).body("documents[0].status", equalTo(400))
                .body("documents[1].error", containsString("element 1 is not a document"))
                .body("documents[2].error", containsString("documents[2].text must not be empty"));
        given().config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                        .encodeContentTypeAs("application/x-ndjson", ContentType.TEXT)))
                .contentType("application/x-ndjson").body("{\"id\":\"a#b\",\"text\":\"x\"}\n{not json\n")
                .post("/v1/documents/batch").then().statusCode(200).body("failed", equalTo(2))
                .body("documents[1].error", containsString("not valid JSON"));
        problem(post("/v1/documents/batch", "{\"id\":\"a\"}"), 400, "JSON array of documents");
        problem(post("/v1/documents/batch", ""), 400, "request body is required");
    }

    @Test
    void badDocumentsAreRejectedBeforeAnyStageIsCalled() {
        problem(post("/v1/documents", "{\"id\":\"\",\"text\":\"hello\"}"), 400, "id must not be empty");
        problem(post("/v1/documents", "{\"id\":\"a#b\",\"text\":\"hello\"}"), 400, "without '#'");
        problem(post("/v1/documents", "{\"id\":\"doc\",\"text\":\"\"}"), 400, "text must not be empty");
        problem(post("/v1/documents", "{\"id\":\"" + "d".repeat(201) + "\",\"text\":\"x\"}"), 400, "1-200 characters");
        problem(post("/v1/documents", ""), 400, "request body is required");
        problem(post("/v1/documents", "{\"id\":\"doc\",\"text\":\"x\",\"metadata\":{\"k\":null}}"), 400, "must not be null");
        problem(post("/v1/documents", "{\"id\":\"doc\",\"text\":\"x\",\"metadata\":{\"doc_id\":\"y\"}}"), 400, "reserved");
        problem(post("/v1/documents", "{\"id\":\"doc\",\"text\":\"x\",\"title\":\"" + "t".repeat(4097) + "\"}"), 400,
                "title has 4097 characters");
    }

    @Test
    void unreachableStagesAreUnavailableNotInternalErrors() {
        problem(post("/v1/rag/query", "{\"question\":\"What is a hash table?\"}"), 503, "embedding stage");
        problem(post("/v1/documents", "{\"id\":\"doc\",\"text\":\"Some text.\"}"), 503, "embedding stage");
        expect(Status.Code.UNAVAILABLE, "embedding stage",
                () -> grpc.query(QueryRequest.newBuilder().setQuestion("What is a hash table?").build()));
    }

    @Test
    void openAiChatCompletionsRefusesClearly() {
        io.restassured.RestAssured.given().contentType("application/json").body("{\"messages\":[]}")
                .post("/v1/chat/completions").then().statusCode(400).contentType("application/problem+json")
                .body("error.type", org.hamcrest.Matchers.equalTo("invalid_request_error"))
                .body("detail", org.hamcrest.Matchers.containsString("at least one message"));
        io.restassured.RestAssured.given().contentType("application/json")
                .body("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"}]}")
                .post("/v1/chat/completions").then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("no user message"));
        io.restassured.RestAssured.given().contentType("application/json").body("{\"messages\":")
                .post("/v1/chat/completions").then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("malformed JSON"));
        // The stages are unreachable in this test: a clear 503 naming the stage, for JSON and for a stream.
        for (String stream : new String[] {"false", "true"}) {
            io.restassured.RestAssured.given().contentType("application/json")
                    .body("{\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"What is a hash table?\"}]}")
                    .post("/v1/chat/completions").then().statusCode(503)
                    .body("error.message", org.hamcrest.Matchers.containsString("embedding stage"));
        }
    }

    @Test
    void uploadsAreParsedBeforeAnyStageIsCalled() {
        problem(io.restassured.RestAssured.given().contentType("application/msword").body(new byte[] {1, 2, 3})
                .put("/v1/documents/word-doc"), 400, "unsupported content type");
        problem(io.restassured.RestAssured.given().contentType("application/pdf").body("%PDF-1.7 broken".getBytes())
                .put("/v1/documents/broken-pdf"), 400, "PDF could not be read");
        // A readable upload reaches the (unreachable) embedding stage.
        problem(io.restassured.RestAssured.given().contentType("text/html").body("<p>Some text.</p>")
                .put("/v1/documents/html-doc"), 503, "embedding stage");
    }

    @Test
    void openApiDocumentAndSwaggerUi() {
        io.restassured.RestAssured.given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("info.title", org.hamcrest.Matchers.equalTo("RAG orchestrator"))
                .body("paths.'/v1/rag/query'.post", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/documents/{id}'.delete", org.hamcrest.Matchers.notNullValue());
        io.restassured.RestAssured.given().get("/q/swagger-ui/").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("swagger"));
    }

    @Test
    void badGrpcRequestsGetInvalidArgument() {
        expect(Status.Code.INVALID_ARGUMENT, "question must not be empty", () -> grpc.query(QueryRequest.getDefaultInstance()));
        expect(Status.Code.INVALID_ARGUMENT, "top_k",
                () -> grpc.query(QueryRequest.newBuilder().setQuestion("q").setTopK(21).build()));
        expect(Status.Code.INVALID_ARGUMENT, "question must not be empty",
                () -> grpc.queryStream(QueryRequest.getDefaultInstance()).hasNext());
        expect(Status.Code.INVALID_ARGUMENT, "documents must hold at least 1",
                () -> grpc.ingest(IngestRequest.getDefaultInstance()));
        expect(Status.Code.INVALID_ARGUMENT, "text must not be empty", () -> grpc.ingest(IngestRequest.newBuilder()
                .addDocuments(Document.newBuilder().setId("ok").setText("fine"))
                .addDocuments(Document.newBuilder().setId("empty")).build()));
    }

    private static void expect(Status.Code code, String message, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }
}
