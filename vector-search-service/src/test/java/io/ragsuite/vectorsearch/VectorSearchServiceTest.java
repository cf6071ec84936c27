package io.ragsuite.vectorsearch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.CreateCollectionRequest;
import io.ragsuite.api.v1.DeletePointsRequest;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.GetCollectionRequest;
import io.ragsuite.api.v1.GetPointsRequest;
import io.ragsuite.api.v1.Metric;
import io.ragsuite.api.v1.Point;
import io.ragsuite.api.v1.SearchRequest;
import io.ragsuite.api.v1.SearchResponse;
import io.ragsuite.api.v1.UpsertRequest;
import io.ragsuite.api.v1.VectorSearchServiceGrpc;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The vector search service over gRPC and REST, including bad input, on the default (Lucene) backend;
 * {@link io.ragsuite.vectorsearch.pgvector.PgVectorSearchServiceTest} runs the same tests on pgvector.
 */
@QuarkusTest
public class VectorSearchServiceTest {
    @GrpcClient("self")
    VectorSearchServiceGrpc.VectorSearchServiceBlockingStub grpc;
    @GrpcClient("self")
    HealthGrpc.HealthBlockingStub health;

    /** A quantization the backend offers (the test checks rescoring to exact scores). */
    protected io.ragsuite.api.v1.Quantization quantization() {
        return io.ragsuite.api.v1.Quantization.QUANTIZATION_INT8;
    }

    @BeforeEach
    void storeOpen() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Point point(String id, String doc, float... v) {
        Point.Builder p = Point.newBuilder().setId(id).setText("text of " + id).putMetadata("doc", doc);
        for (float x : v) {
            p.addVector(x);
        }
        return p.build();
    }

    private static SearchRequest.Builder search(String collection, int k, float... v) {
        SearchRequest.Builder b = SearchRequest.newBuilder().setCollection(collection).setTopK(k);
        for (float x : v) {
            b.addVector(x);
        }
        return b;
    }

    @Test
    void grpcCollectionLifecycleUpsertSearchFilterDelete() {
        String name = unique("grpc");
        var info = grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(3).build());
        assertEquals(Metric.COSINE, info.getMetric());
        assertEquals(16, info.getHnsw().getM());

        grpc.upsert(UpsertRequest.newBuilder().setCollection(name)
                .addPoints(point("a", "x", 1, 0, 0))
                .addPoints(point("b", "y", 0, 1, 0))
                .addPoints(point("c", "y", 0.9f, 0.1f, 0)).build());
        assertEquals(3, grpc.getCollection(GetCollectionRequest.newBuilder().setName(name).build()).getPointCount());

        SearchResponse all = grpc.search(search(name, 2, 1, 0, 0).build());
        assertEquals(List.of("a", "c"), all.getResultsList().stream().map(r -> r.getPoint().getId()).toList());
        assertEquals(1.0, all.getResults(0).getScore(), 1e-5);
        assertEquals("text of a", all.getResults(0).getPoint().getText());

        Filter docY = Filter.newBuilder().addMust(Condition.newBuilder()
                .setMatch(FieldMatch.newBuilder().setKey("doc").addAnyOf("y"))).build();
        SearchResponse filtered = grpc.search(search(name, 2, 1, 0, 0).setFilter(docY).build());
        assertEquals(List.of("c", "b"), filtered.getResultsList().stream().map(r -> r.getPoint().getId()).toList());

        var got = grpc.get(GetPointsRequest.newBuilder().setCollection(name).addIds("b").addIds("missing")
                .setWithVectors(true).build());
        assertEquals(1, got.getPointsCount());
        assertEquals(List.of(0f, 1f, 0f), got.getPoints(0).getVectorList());

        assertEquals(2, grpc.delete(DeletePointsRequest.newBuilder().setCollection(name).setFilter(docY).build()).getDeleted());
        assertEquals(1, grpc.delete(DeletePointsRequest.newBuilder().setCollection(name).addIds("a").build()).getDeleted());
        assertEquals(0, grpc.getCollection(GetCollectionRequest.newBuilder().setName(name).build()).getPointCount());
    }

    @Test
    void badGrpcRequestsGetClearStatusesAndWriteNothing() {
        String name = unique("bad");
        grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(3).build());
        expect(Status.Code.ALREADY_EXISTS, "already exists",
                () -> grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(3).build()));
        expect(Status.Code.INVALID_ARGUMENT, "dimension",
                () -> grpc.createCollection(CreateCollectionRequest.newBuilder().setName(unique("d")).setDimension(0).build()));
        expect(Status.Code.INVALID_ARGUMENT, "collection name",
                () -> grpc.createCollection(CreateCollectionRequest.newBuilder().setName("../x").setDimension(3).build()));
        expect(Status.Code.NOT_FOUND, "does not exist", () -> grpc.search(search("no-such-collection", 1, 1, 0, 0).build()));
        expect(Status.Code.INVALID_ARGUMENT, "expects 3", () -> grpc.search(search(name, 1, 1, 0).build()));
        expect(Status.Code.INVALID_ARGUMENT, "top_k", () -> grpc.search(search(name, 1000, 1, 0, 0).build()));
        expect(Status.Code.INVALID_ARGUMENT, "expects 3", () -> grpc.upsert(UpsertRequest.newBuilder().setCollection(name)
                .addPoints(point("ok", "x", 1, 0, 0)).addPoints(point("short", "x", 1, 0)).build()));
        expect(Status.Code.INVALID_ARGUMENT, "not a finite number", () -> grpc.upsert(UpsertRequest.newBuilder()
                .setCollection(name).addPoints(point("inf", "x", 1, Float.POSITIVE_INFINITY, 0)).build()));
        expect(Status.Code.INVALID_ARGUMENT, "exactly one", () -> grpc.delete(DeletePointsRequest.newBuilder()
                .setCollection(name).build()));
        expect(Status.Code.INVALID_ARGUMENT, "'range' or 'filter'", () -> grpc.search(search(name, 1, 1, 0, 0)
                .setFilter(Filter.newBuilder().addMust(Condition.getDefaultInstance())).build()));
        assertEquals(0, grpc.getCollection(GetCollectionRequest.newBuilder().setName(name).build()).getPointCount(),
                "rejected batches wrote nothing");
    }

    private static void expect(Status.Code code, String message, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    @Test
    void restApiHasTheSameSemantics() {
        String name = unique("rest");
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"dimension\":2,\"metric\":\"dot\"}")
                .post("/v1/collections").then().statusCode(201).body("metric", equalTo("dot"));
        given().contentType(ContentType.JSON)
                .body("{\"points\":[{\"id\":\"p1\",\"vector\":[1,2],\"text\":\"one\",\"metadata\":{\"k\":\"v\"}},"
                        + "{\"id\":\"p2\",\"vector\":[-1,0],\"text\":\"two\"}]}")
                .put("/v1/collections/" + name + "/points").then().statusCode(200).body("upserted", equalTo(2));
        given().contentType(ContentType.JSON).body("{\"vector\":[1,1],\"top_k\":2}")
                .post("/v1/collections/" + name + "/search").then().statusCode(200)
                .body("results", hasSize(2))
                .body("results[0].id", equalTo("p1"))
                .body("results[0].score", equalTo(3.0f))
                .body("results[1].score", equalTo(-1.0f))
                .body("results[0].metadata.k", equalTo("v"));
        given().contentType(ContentType.JSON)
                .body("{\"vector\":[1,1],\"top_k\":2,\"filter\":{\"must_not\":[{\"match\":{\"key\":\"k\",\"any_of\":[\"v\"]}}]}}")
                .post("/v1/collections/" + name + "/search").then().statusCode(200)
                .body("results", hasSize(1)).body("results[0].id", equalTo("p2"));
        given().get("/v1/collections").then().statusCode(200).body(containsString(name));
        given().delete("/v1/collections/" + name).then().statusCode(204);
        given().get("/v1/collections/" + name).then().statusCode(404);
    }

    @Test
    void badRestRequestsGetProblemBodies() {
        String name = unique("restbad");
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"dimension\":2}").post("/v1/collections")
                .then().statusCode(201);
        problem(given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"dimension\":2}")
                .post("/v1/collections"), 409, "already exists");
        problem(given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"dimension\":2,\"metric\":\"manhattan\"}")
                .post("/v1/collections"), 400, "metric must be one of");
        problem(given().contentType(ContentType.JSON).body("{\"vector\":[1,2,3],\"top_k\":1}")
                .post("/v1/collections/" + name + "/search"), 400, "expects 2");
        problem(given().contentType(ContentType.JSON).body("{\"vector\":[1,2],\"top_k\":1}")
                .post("/v1/collections/unknown-coll/search"), 404, "does not exist");
        problem(given().contentType(ContentType.JSON).body("{\"points\":[{\"id\":\"\",\"vector\":[1,2]}]}")
                .put("/v1/collections/" + name + "/points"), 400, "id must not be empty");
        problem(given().contentType(ContentType.JSON).body("{\"points\":[{\"id\":\"a\",\"vector\":\"zz\"}]}")
                .put("/v1/collections/" + name + "/points"), 400, "not valid JSON");
        problem(given().contentType(ContentType.JSON).body("{\"points\":[null]}")
                .put("/v1/collections/" + name + "/points"), 400, "must not hold null");
        problem(given().contentType(ContentType.JSON).body("{\"points\":[{\"id\":\"a\",\"vector\":[1,2],\"metadata\":{\"k\":null}}]}")
                .put("/v1/collections/" + name + "/points"), 400, "must not be null");
        problem(given().contentType(ContentType.JSON).body("{\"vector\":[1,2],\"top_k\":1,\"filter\":{\"must\":[null]}}")
                .post("/v1/collections/" + name + "/search"), 400, "must not be null");
        given().get("/v1/collections/" + name).then().statusCode(200).body("point_count", equalTo(0));
    }

    private static void problem(io.restassured.response.Response response, int status, String detail) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("detail", containsString(detail))
                .body(not(containsString("Exception")));
    }

    @Test
    void quantizedCollectionOverGrpcAndRest() {
        String name = unique("quantized");
        var info = grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(2)
                .setQuantization(quantization())
                .setHnsw(io.ragsuite.api.v1.HnswConfig.newBuilder().setEfSearch(50)).build());
        assertEquals(quantization(), info.getQuantization());
        assertEquals(50, info.getHnsw().getEfSearch());
        grpc.upsert(UpsertRequest.newBuilder().setCollection(name)
                .addPoints(point("a", "d", 1, 0)).addPoints(point("b", "d", 1, 1)).addPoints(point("c", "d", -1, 0)).build());
        SearchResponse r = grpc.search(search(name, 3, 1, 0).setEfSearch(10).setMinScore(0.5f).build());
        // Exact cosines after rescoring: a = 1, b = 0.7071; c (-1) is under min_score.
        assertEquals(List.of("a", "b"), r.getResultsList().stream().map(h -> h.getPoint().getId()).toList());
        assertEquals(0.70710677f, r.getResults(1).getScore(), 1e-5);
        given().get("/v1/collections/" + name).then().statusCode(200)
                .body("quantization", equalTo(quantization().name().substring("QUANTIZATION_".length())
                        .toLowerCase(java.util.Locale.ROOT))).body("hnsw.ef_search", equalTo(50));
        given().contentType(ContentType.JSON).body("{\"vector\":[1,0],\"top_k\":3,\"min_score\":0.5,\"ef_search\":20}")
                .post("/v1/collections/" + name + "/search").then().statusCode(200).body("results", hasSize(2));
        problem(given().contentType(ContentType.JSON).body("{\"name\":\"q\",\"dimension\":2,\"quantization\":\"int3\"}")
                .post("/v1/collections"), 400, "unknown quantization");
        expect(Status.Code.INVALID_ARGUMENT, "ef_search", () -> grpc.search(search(name, 1, 1, 0).setEfSearch(-4).build()));
        // Text only: BM25 ("text of <id>" is each point's text).
        SearchResponse words = grpc.search(SearchRequest.newBuilder().setCollection(name).setTopK(3).setText("b").build());
        assertEquals(List.of("b"), words.getResultsList().stream().map(h -> h.getPoint().getId()).toList());
        // Vector and text: hybrid, fused by reciprocal rank (c: dense rank 3 + BM25 rank 1 beats b: dense rank 2).
        given().contentType(ContentType.JSON).body("{\"vector\":[1,0],\"text\":\"c\",\"top_k\":3}")
                .post("/v1/collections/" + name + "/search").then().statusCode(200)
                .body("results.id", org.hamcrest.Matchers.contains("c", "a", "b"));
        problem(given().contentType(ContentType.JSON).body("{\"vector\":[1,0],\"top_k\":3,\"mode\":\"bm25\"}")
                .post("/v1/collections/" + name + "/search"), 400, "needs a query text");
    }

    @Test
    void countScrollAndRangeOverGrpcAndRest() {
        String name = unique("scroll");
        grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(2).build());
        UpsertRequest.Builder up = UpsertRequest.newBuilder().setCollection(name);
        for (int i = 0; i < 5; i++) {
            up.addPoints(Point.newBuilder().setId("p" + i).addVector(1).addVector(i).putMetadata("n", Integer.toString(i)));
        }
        grpc.upsert(up.build());
        io.ragsuite.api.v1.Filter atLeast2 = io.ragsuite.api.v1.Filter.newBuilder().addMust(io.ragsuite.api.v1.Condition
                .newBuilder().setRange(io.ragsuite.api.v1.FieldRange.newBuilder().setKey("n").setGte(2))).build();
        assertEquals(3, grpc.count(io.ragsuite.api.v1.CountRequest.newBuilder().setCollection(name).setFilter(atLeast2)
                .build()).getCount());
        var first = grpc.scroll(io.ragsuite.api.v1.ScrollRequest.newBuilder().setCollection(name).setLimit(3).build());
        assertEquals(List.of("p0", "p1", "p2"), first.getPointsList().stream().map(Point::getId).toList());
        var second = grpc.scroll(io.ragsuite.api.v1.ScrollRequest.newBuilder().setCollection(name).setLimit(3)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(List.of("p3", "p4"), second.getPointsList().stream().map(Point::getId).toList());
        assertEquals("", second.getNextPageToken());
        given().contentType(ContentType.JSON).body("{\"filter\":{\"must\":[{\"range\":{\"key\":\"n\",\"lt\":2}}]}}")
                .post("/v1/collections/" + name + "/points/count").then().statusCode(200).body("count", equalTo(2));
        given().contentType(ContentType.JSON).body("{\"limit\":2,\"page_token\":\"p2\"}")
                .post("/v1/collections/" + name + "/points/scroll").then().statusCode(200)
                .body("points.id", org.hamcrest.Matchers.contains("p3", "p4")).body("next_page_token", equalTo("p4"));
        problem(given().contentType(ContentType.JSON).body("{\"filter\":{\"must\":[{\"range\":{\"key\":\"n\"}}]}}")
                .post("/v1/collections/" + name + "/points/count"), 400, "at least one bound");
    }

    @Test
    void snapshotsOverGrpcAndRest() {
        String name = unique("snap");
        grpc.createCollection(CreateCollectionRequest.newBuilder().setName(name).setDimension(2).build());
        grpc.upsert(UpsertRequest.newBuilder().setCollection(name).addPoints(point("a", "d", 1, 0)).build());
        var snap = grpc.createSnapshot(io.ragsuite.api.v1.CreateSnapshotRequest.newBuilder().setCollection(name).build());
        assertEquals(1, snap.getPointCount());
        grpc.upsert(UpsertRequest.newBuilder().setCollection(name).addPoints(point("b", "d", 0, 1)).build());
        String copy = unique("copy");
        var restored = grpc.restoreSnapshot(io.ragsuite.api.v1.RestoreSnapshotRequest.newBuilder().setCollection(name)
                .setSnapshot(snap.getSnapshot()).setNewCollection(copy).build());
        assertEquals(1, restored.getPointCount());
        given().get("/v1/collections/" + name + "/snapshots").then().statusCode(200)
                .body("snapshots[0].id", equalTo(snap.getSnapshot())).body("snapshots[0].point_count", equalTo(1));
        String viaRest = given().post("/v1/collections/" + name + "/snapshots").then().statusCode(201)
                .body("point_count", equalTo(2)).extract().path("id");
        given().contentType(ContentType.JSON).body("{\"collection\":\"" + unique("copy2") + "\"}")
                .post("/v1/collections/" + name + "/snapshots/" + viaRest + "/restore").then().statusCode(201)
                .body("point_count", equalTo(2));
        problem(given().contentType(ContentType.JSON).body("{\"collection\":\"" + copy + "\"}")
                .post("/v1/collections/" + name + "/snapshots/" + viaRest + "/restore"), 409, "already exists");
        problem(given().delete("/v1/collections/" + name + "/snapshots/nope"), 400, "is not one this server makes");
        given().delete("/v1/collections/" + name + "/snapshots/" + viaRest).then().statusCode(204);
        given().post("/v1/collections/" + name + "/optimize").then().statusCode(200).body("segments_after", equalTo(1));
        assertEquals(1, grpc.optimize(io.ragsuite.api.v1.OptimizeRequest.newBuilder().setCollection(name).build())
                .getSegmentsAfter());
        problem(given().post("/v1/collections/nope-" + UUID.randomUUID().toString().substring(0, 8) + "/optimize"),
                404, "does not exist");
        expect(Status.Code.NOT_FOUND, "has no snapshot", () -> grpc.deleteSnapshot(io.ragsuite.api.v1
                .DeleteSnapshotRequest.newBuilder().setCollection(name).setSnapshot(viaRest).build()));
    }

    @Test
    void healthAndMetrics() {
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        given().get("/q/metrics").then().statusCode(200).body(containsString("rag_vector_collections"));
    }
}
