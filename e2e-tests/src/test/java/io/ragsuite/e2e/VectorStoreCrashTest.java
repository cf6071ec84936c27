package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.CountRequest;
import io.ragsuite.api.v1.CreateCollectionRequest;
import io.ragsuite.api.v1.DeletePointsRequest;
import io.ragsuite.api.v1.FieldMatch;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.Point;
import io.ragsuite.api.v1.UpsertRequest;
import io.ragsuite.api.v1.VectorSearchServiceGrpc;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Durability under {@code kill -9}: a client writes to the packaged vector search service (batches upserted,
 * earlier batches deleted by filter) while the process is killed with SIGKILL at a random moment, then the
 * service is restarted on the same data folder and every batch is checked: each acknowledged upsert is all
 * there, each acknowledged delete is gone, and the one write in flight when the process died is all there or
 * not at all, never half. Cycles alternate the sync and group commit policies, which promise the same.
 * {@code -Drag.crash.cycles=N} (default 20) sets the number of kills; the seed is
 * printed so a failure can be replayed with {@code -Drag.crash.seed=S}.
 */
class VectorStoreCrashTest {
    private static final String COLLECTION = "crash";
    private static final int POINTS_PER_BATCH = 25;
    private static final int DIMENSION = 16;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What the client knows of a batch. */
    private enum Known { ACKED_PRESENT, ACKED_DELETED, UPSERT_IN_FLIGHT, DELETE_IN_FLIGHT }

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        Path root = E2eSupport.repoRoot();
        Path jar = E2eSupport.jarOf(root, "vector-search-service");
        assertTrue(Files.isRegularFile(jar), "package the service first: " + jar);
        int cycles = Integer.getInteger("rag.crash.cycles", 20);
        long seed = Long.getLong("rag.crash.seed", System.nanoTime());
        System.out.printf("VectorStoreCrashTest: %d cycles, seed %d%n", cycles, seed);
        Random rnd = new Random(seed);
        Path data = Files.createTempDirectory("rag-crash-vector-data-");
        Path log = data.resolveSibling(data.getFileName() + ".log");
        Map<Integer, Known> batches = new ConcurrentHashMap<>();
        int nextBatch = 0;
        int acked = 0;
        int inFlightSettled = 0;

        for (int cycle = 0; cycle <= cycles; cycle++) {
            int port = E2eSupport.freePorts(1).get(0);
            Process service = start(jar, port, data, log, cycle % 2 == 0 ? "sync" : "group");
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                awaitReady(service, port, log);
                VectorSearchServiceGrpc.VectorSearchServiceBlockingStub stub = VectorSearchServiceGrpc
                        .newBlockingStub(channel);
                if (cycle == 0) {
                    stub.createCollection(CreateCollectionRequest.newBuilder().setName(COLLECTION)
                            .setDimension(DIMENSION).build());
                }
                inFlightSettled += verify(stub, batches, cycle, seed);
                if (cycle == cycles) {
                    break; // the last start only checks
                }
                // Write until the kill: the kill lands at a random moment, usually in the middle of a write.
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150 + rnd.nextInt(900));
                Thread killer = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(Math.max(0, (killAt - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    service.destroyForcibly();  // SIGKILL on Linux
                });
                while (service.isAlive()) {
                    List<Integer> present = batches.entrySet().stream()
                            .filter(e -> e.getValue() == Known.ACKED_PRESENT).map(Map.Entry::getKey).toList();
                    boolean delete = !present.isEmpty() && rnd.nextInt(4) == 0;
                    int batch = delete ? present.get(rnd.nextInt(present.size())) : nextBatch++;
                    batches.put(batch, delete ? Known.DELETE_IN_FLIGHT : Known.UPSERT_IN_FLIGHT);
                    try {
                        if (delete) {
                            stub.withDeadlineAfter(10, TimeUnit.SECONDS).delete(DeletePointsRequest.newBuilder()
                                    .setCollection(COLLECTION).setFilter(ofBatch(batch)).build());
                            batches.put(batch, Known.ACKED_DELETED);
                        } else {
                            stub.withDeadlineAfter(10, TimeUnit.SECONDS).upsert(upsert(batch, rnd));
                            batches.put(batch, Known.ACKED_PRESENT);
                        }
                        acked++;
                    } catch (StatusRuntimeException e) {
                        break; // the process died under this call: its outcome is unknown until the restart
                    }
                }
                killer.join();
                service.waitFor(30, TimeUnit.SECONDS);
            } finally {
                channel.shutdownNow();
                service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        System.out.printf("VectorStoreCrashTest: %d acknowledged writes over %d kills, %d batches, "
                + "%d writes in flight at a kill settled all-or-nothing%n", acked, cycles, batches.size(), inFlightSettled);
        assertTrue(acked > cycles, "the client got writes acknowledged between kills: " + acked);
    }

    /** Checks every batch against what the client knows; settles in-flight writes. Returns how many were. */
    private static int verify(VectorSearchServiceGrpc.VectorSearchServiceBlockingStub stub, Map<Integer, Known> batches,
            int cycle, long seed) {
        int settled = 0;
        for (Map.Entry<Integer, Known> e : batches.entrySet()) {
            long n = stub.count(CountRequest.newBuilder().setCollection(COLLECTION).setFilter(ofBatch(e.getKey()))
                    .build()).getCount();
            String where = "cycle " + cycle + " (seed " + seed + "), batch " + e.getKey() + " " + e.getValue();
            switch (e.getValue()) {
                case ACKED_PRESENT -> assertEquals(POINTS_PER_BATCH, n, where + ": acknowledged upsert lost");
                case ACKED_DELETED -> assertEquals(0, n, where + ": acknowledged delete undone");
                case UPSERT_IN_FLIGHT, DELETE_IN_FLIGHT -> {
                    if (n != 0 && n != POINTS_PER_BATCH) {
                        fail(where + ": half applied, " + n + " of " + POINTS_PER_BATCH + " points");
                    }
                    e.setValue(n == 0 ? Known.ACKED_DELETED : Known.ACKED_PRESENT);
                    settled++;
                }
            }
        }
        return settled;
    }

    private static Filter ofBatch(int batch) {
        return Filter.newBuilder().addMust(Condition.newBuilder().setMatch(FieldMatch.newBuilder().setKey("batch")
                .addAnyOf(Integer.toString(batch)))).build();
    }

    private static UpsertRequest upsert(int batch, Random rnd) {
        UpsertRequest.Builder r = UpsertRequest.newBuilder().setCollection(COLLECTION);
        for (int i = 0; i < POINTS_PER_BATCH; i++) {
            Point.Builder p = Point.newBuilder().setId(batch + "-" + i).setText("point " + i + " of batch " + batch)
                    .putMetadata("batch", Integer.toString(batch));
            for (int d = 0; d < DIMENSION; d++) {
                p.addVector((float) rnd.nextGaussian());
            }
            r.addPoints(p);
        }
        return r.build();
    }

    private static Process start(Path jar, int port, Path data, Path log, String commitPolicy) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("RAG_VECTOR_DATA_DIR", data.toString());
        pb.environment().put("RAG_VECTOR_COMMIT_POLICY", commitPolicy);
        return pb.start();
    }

    private static void awaitReady(Process service, int port, Path log) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                fail("vector search service exited at startup; log " + log);
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("vector search service not ready after 90 s; log " + log);
    }
}
