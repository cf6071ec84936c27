package io.ragsuite.orchestrator.rest;

import io.quarkus.grpc.GrpcClient;
import io.ragsuite.api.internal.v1.DescribeRequest;
import io.ragsuite.api.internal.v1.StageInfo;
import io.ragsuite.api.internal.v1.StageInfoService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/rag/stages}: what serves each stage of the pipeline, asked of the stage itself over the internal
 * {@code rag.internal.v1.StageInfoService}: its engine, default model, every model it serves, its readiness and
 * operator facts (dimension, slots, index). A stage that does not answer within two seconds is listed as
 * unreachable with the reason, so the call is usable while a stage is down (which is when operators need it).
 */
@Path("/v1/rag/stages")
@Produces(MediaType.APPLICATION_JSON)
public class StagesResource {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @GrpcClient("embedding")
    StageInfoService embedding;
    @GrpcClient("vector-search")
    StageInfoService vectorSearch;
    @GrpcClient("generation")
    StageInfoService generation;

    /** One stage as reported; {@code error} is set (and the rest empty) when it could not be asked. */
    public record Stage(String client, boolean reachable, boolean ready, String stage, String backend,
            String defaultModel, List<String> models, Map<String, String> details, String error) {
    }

    public record Stages(boolean allReady, List<Stage> stages) {
    }

    @GET
    public Uni<Stages> stages() {
        return Uni.combine().all().unis(describe("embedding", embedding), describe("vector-search", vectorSearch),
                describe("generation", generation)).with((e, v, g) -> {
                    List<Stage> all = List.of(e, v, g);
                    return new Stages(all.stream().allMatch(Stage::ready), all);
                });
    }

    private static Uni<Stage> describe(String client, StageInfoService stage) {
        return stage.describe(DescribeRequest.getDefaultInstance())
                .ifNoItem().after(TIMEOUT).fail()
                .map(info -> reported(client, info))
                .onFailure().recoverWithItem(t -> new Stage(client, false, false, null, null, null, List.of(), Map.of(),
                        t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())));
    }

    private static Stage reported(String client, StageInfo info) {
        return new Stage(client, true, info.getReady(), info.getStage(), info.getBackend(), info.getDefaultModel(),
                List.copyOf(info.getModelsList()), new TreeMap<>(info.getDetailsMap()), null);
    }
}
