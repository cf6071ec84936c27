package io.ragsuite.bench.vectorsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ragsuite.api.v1.SearchRequest;
import io.ragsuite.api.v1.SearchResponse;
import io.ragsuite.api.v1.VectorSearchServiceGrpc;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.ScoredPoint;
import io.ragsuite.vectorsearch.core.SearchQuery;
import io.ragsuite.vectorsearch.core.StoreLimits;
import io.ragsuite.vectorsearch.lucene.LuceneCollection;
import io.ragsuite.vectorsearch.lucene.LuceneVectorStore;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Java side of bench/vector-search/run.sh. Commands (results appended to --out as JSON lines):
 *
 * <pre>
 *   build   --dir DATA --store DIR --quantization none|int8 [--m 16 --ef-construction 100]
 *           our LuceneVectorStore, as the service runs it: batches of 1,000 points, each committed
 *   optimize --dir DATA --store DIR --quantization none|int8   merge the segments (the Optimize RPC)
 *   search  --dir DATA --store DIR --quantization none|int8 --ef 10,16,... [--passes 7] [--label L]
 *           one thread, in process; per ef one untimed pass, then the median QPS of the timed ones
 *   grpc    --dir DATA --port P --quantization none|int8 --ef 10,16,...       one client thread, over gRPC
 *   quality --dir DATA --store DIR     dense vs BM25 vs hybrid on the labelled FOLDOC terms
 * </pre>
 */
public final class VectorBench {
    /** Timed passes over all queries per ef by default (--passes); the median QPS is reported. */
    private static final int PASSES = 7;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StoreLimits LIMITS = new StoreLimits(4096, 100, 1024, 100_000);
    private static final int DIM = 384;

    private final Map<String, String> args;
    private final Path dir;
    private final Writer out;

    private VectorBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.dir = Path.of(required("dir"));
        this.out = Files.newBufferedWriter(Path.of(required("out")), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        VectorBench bench = new VectorBench(args);
        try {
            switch (argv[0]) {
                case "build" -> bench.build();
                case "optimize" -> bench.optimize();
                case "search" -> bench.search();
                case "grpc" -> bench.grpc();
                case "quality" -> bench.quality();
                default -> throw new IllegalArgumentException("unknown command " + argv[0]);
            }
        } finally {
            bench.out.close();
        }
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private int[] efs() {
        return java.util.Arrays.stream(required("ef").split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private Quantization quantization() {
        return Quantization.parse(required("quantization"));
    }

    private String collection() {
        return "bench-" + quantization().label();
    }

    static float[][] readVectors(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int n = bytes.remaining() / (DIM * Float.BYTES);
        float[][] v = new float[n][DIM];
        for (float[] row : v) {
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + DIM * Float.BYTES);
        }
        return v;
    }

    private int[][] groundTruth(int queries) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("gt.i32"))).order(ByteOrder.LITTLE_ENDIAN);
        int k = bytes.remaining() / Integer.BYTES / queries;
        int[][] gt = new int[queries][k];
        for (int[] row : gt) {
            bytes.asIntBuffer().get(row);
            bytes.position(bytes.position() + k * Integer.BYTES);
        }
        return gt;
    }

    private void emit(ObjectNode row) throws IOException {
        String line = JSON.writeValueAsString(row);
        out.write(line + "\n");
        out.flush();
        System.err.println(line);
    }

    private ObjectNode row(String system, String phase) {
        ObjectNode row = JSON.createObjectNode().put("system", system).put("quantization", quantization().label())
                .put("phase", phase);
        row.put("m", Integer.parseInt(args.getOrDefault("m", "16")))
                .put("ef_construction", Integer.parseInt(args.getOrDefault("ef-construction", "100")));
        return row;
    }

    private void build() throws Exception {
        float[][] base = readVectors(dir.resolve("base.f32"));
        int m = Integer.parseInt(args.getOrDefault("m", "16"));
        int efc = Integer.parseInt(args.getOrDefault("ef-construction", "100"));
        long start = System.nanoTime();
        try (LuceneVectorStore store = new LuceneVectorStore(Path.of(required("store")), LIMITS)) {
            LuceneCollection c = store.create(CollectionSpec.of(collection(), DIM, Metric.COSINE, m, efc, 0,
                    quantization(), 4096));
            for (int i = 0; i < base.length; i += 1000) {
                List<Point> batch = new ArrayList<>();
                for (int j = i; j < Math.min(base.length, i + 1000); j++) {
                    batch.add(new Point(Integer.toString(j), base[j], "", Map.of()));
                }
                c.upsert(batch);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            emit(row("ours (Lucene, in process)", "build").put("seconds", seconds).put("n", base.length)
                    .put("segments", c.segmentCount()).put("ram_bytes", c.searchMemoryBytes())
                    .put("disk_bytes", c.diskBytes()).putPOJO("parts", c.bytesByPart()));
        }
    }

    private void optimize() throws Exception {
        try (LuceneVectorStore store = new LuceneVectorStore(Path.of(required("store")), LIMITS)) {
            LuceneCollection c = store.get(collection());
            var done = c.optimize();
            emit(row("ours (Lucene, in process)", "optimize").put("seconds", done.millis() / 1000.0)
                    .put("segments_before", done.segmentsBefore()).put("segments_after", done.segmentsAfter())
                    .put("ram_bytes", c.searchMemoryBytes()).put("disk_bytes", c.diskBytes())
                    .putPOJO("parts", c.bytesByPart()));
        }
    }

    private void search() throws Exception {
        float[][] queries = readVectors(dir.resolve("queries.f32"));
        int[][] gt = groundTruth(queries.length);
        try (LuceneVectorStore store = new LuceneVectorStore(Path.of(required("store")), LIMITS)) {
            LuceneCollection c = store.get(collection());
            // Warm-up: the JIT and the page cache, three untimed passes before anything is measured.
            for (int pass = 0; pass < 3; pass++) {
                for (float[] q : queries) {
                    c.search(SearchQuery.dense(q, 10).withEfSearch(64));
                }
            }
            for (int ef : efs()) {
                // One untimed pass at this ef, then PASSES timed ones; the median QPS is reported (one pass of
                // 1,000 queries is a quarter second, too short to be steady; peers.py times the peers the same way).
                int passes = Integer.parseInt(args.getOrDefault("passes", Integer.toString(PASSES)));
                double[] rates = new double[passes];
                int hits = 0;
                for (int pass = 0; pass <= passes; pass++) {
                    hits = 0;
                    long start = System.nanoTime();
                    for (int q = 0; q < queries.length; q++) {
                        List<ScoredPoint> found = c.search(SearchQuery.dense(queries[q], 10).withEfSearch(ef));
                        hits += overlap(found.stream().map(h -> Integer.parseInt(h.point().id())).toList(), gt[q]);
                    }
                    if (pass > 0) {
                        rates[pass - 1] = queries.length / ((System.nanoTime() - start) / 1e9);
                    }
                }
                Arrays.sort(rates);
                emit(row(args.getOrDefault("label", "ours (Lucene, in process)"), "search").put("ef", ef)
                        .put("recall10", hits / (10.0 * queries.length)).put("qps", rates[passes / 2])
                        .put("passes", passes).put("segments", c.segmentCount()));
            }
        }
    }

    private void grpc() throws Exception {
        float[][] queries = readVectors(dir.resolve("queries.f32"));
        int[][] gt = groundTruth(queries.length);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(required("port")))
                .usePlaintext().maxInboundMessageSize(32 << 20).build();
        try {
            var stub = VectorSearchServiceGrpc.newBlockingStub(channel);
            List<SearchRequest> requests = new ArrayList<>();
            for (float[] q : queries) {
                SearchRequest.Builder b = SearchRequest.newBuilder().setCollection(collection()).setTopK(10);
                for (float x : q) {
                    b.addVector(x);
                }
                requests.add(b.build());
            }
            // Warm-up of the service (and this client): three untimed passes.
            for (int pass = 0; pass < 3; pass++) {
                for (SearchRequest r : requests) {
                    stub.search(r.toBuilder().setEfSearch(64).build());
                }
            }
            for (int ef : efs()) {
                for (int pass = 0; pass < 2; pass++) {
                    int hits = 0;
                    long start = System.nanoTime();
                    for (int q = 0; q < requests.size(); q++) {
                        SearchResponse r = stub.search(requests.get(q).toBuilder().setEfSearch(ef).build());
                        hits += overlap(r.getResultsList().stream().map(h -> Integer.parseInt(h.getPoint().getId()))
                                .toList(), gt[q]);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (pass == 1) {
                        emit(row("ours (service, gRPC)", "search").put("ef", ef)
                                .put("recall10", hits / (10.0 * queries.length)).put("qps", queries.length / seconds));
                    }
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static int overlap(List<Integer> found, int[] truth) {
        Set<Integer> top = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            top.add(truth[i]);
        }
        int n = 0;
        for (int id : found) {
            if (top.contains(id)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Dense, BM25 and hybrid on the labelled terms: a collection of every indexed chunk with its text, the
     * FOLDOC term as the query, the chunks of its definition as the relevant set (binary relevance).
     */
    private void quality() throws Exception {
        float[][] base = readVectors(dir.resolve("base.f32"));
        float[][] termVectors = readVectors(dir.resolve("labels.f32"));
        Map<String, String> texts = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("chunks.jsonl"))) {
            JsonNode c = JSON.readTree(line);
            texts.put(c.get("id").asText(), c.get("text").asText());
        }
        List<String> ids = Files.readAllLines(dir.resolve("base.ids"));
        List<JsonNode> labels = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("labels.jsonl"))) {
            labels.add(JSON.readTree(line));
        }
        try (LuceneVectorStore store = new LuceneVectorStore(Path.of(required("store")), LIMITS)) {
            LuceneCollection c;
            try {
                c = store.get("quality");
            } catch (RuntimeException missing) {
                c = store.create(CollectionSpec.of("quality", DIM, Metric.COSINE, 16, 100, 0, Quantization.NONE, 4096));
                for (int i = 0; i < base.length; i += 1000) {
                    List<Point> batch = new ArrayList<>();
                    for (int j = i; j < Math.min(base.length, i + 1000); j++) {
                        batch.add(new Point(ids.get(j), base[j], texts.get(ids.get(j)), Map.of()));
                    }
                    c.upsert(batch);
                }
            }
            Set<String> indexed = new HashSet<>(ids);
            for (SearchQuery.Mode mode : SearchQuery.Mode.values()) {
                double ndcg = 0;
                double recall = 0;
                int n = 0;
                for (int t = 0; t < labels.size(); t++) {
                    Set<String> relevant = new HashSet<>();
                    labels.get(t).get("relevant").forEach(r -> {
                        if (indexed.contains(r.asText())) {
                            relevant.add(r.asText());
                        }
                    });
                    if (relevant.isEmpty()) {
                        continue; // its definition was held apart as a query chunk
                    }
                    String term = labels.get(t).get("query").asText();
                    SearchQuery q = switch (mode) {
                        case DENSE -> SearchQuery.dense(termVectors[t], 10);
                        case BM25 -> SearchQuery.bm25(term, 10);
                        case HYBRID -> SearchQuery.hybrid(termVectors[t], term, 10);
                    };
                    List<String> found = c.search(q.withEfSearch(100)).stream().map(h -> h.point().id()).toList();
                    double dcg = 0;
                    int hits = 0;
                    for (int i = 0; i < found.size(); i++) {
                        if (relevant.contains(found.get(i))) {
                            dcg += 1 / (Math.log(i + 2) / Math.log(2));
                            hits++;
                        }
                    }
                    double ideal = 0;
                    for (int i = 0; i < Math.min(10, relevant.size()); i++) {
                        ideal += 1 / (Math.log(i + 2) / Math.log(2));
                    }
                    ndcg += dcg / ideal;
                    recall += hits / (double) relevant.size();
                    n++;
                }
                emit(JSON.createObjectNode().put("system", "ours (Lucene)").put("phase", "quality")
                        .put("mode", mode.name().toLowerCase(java.util.Locale.ROOT)).put("queries", n)
                        .put("ndcg10", ndcg / n).put("recall10", recall / n));
            }
        }
    }
}
