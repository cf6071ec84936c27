package io.ragsuite.bench.embedding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.ragsuite.api.v1.EmbedRequest;
import io.ragsuite.api.v1.EmbedResponse;
import io.ragsuite.api.v1.EmbeddingServiceGrpc;
import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.embedding.core.ModelSource;
import io.ragsuite.embedding.core.OnnxEmbeddingModel;
import io.ragsuite.embedding.core.OrtRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Load generator behind {@code bench/embedding/run.sh}. Two modes, each printing one JSON object per
 * measured configuration:
 *
 * <ul>
 *   <li>{@code raw}: the model run directly through ONNX Runtime in this JVM (tokenize + session.run +
 *       pooling, in input order, no server), at several batch sizes; the ceiling the service is compared to.
 *   <li>{@code grpc}: N concurrent clients, each sending one {@code rag.v1.EmbeddingService/Embed} request at
 *       a time with one sentence, against a running service; the server's dynamic batcher forms the batches.
 * </ul>
 *
 * Every configuration embeds the whole sentence file once after a warm-up; latency is per call (a batch for
 * raw, a request for gRPC).
 */
public final class EmbeddingBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddingBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        List<String> sentences = Files.readAllLines(Path.of(require(opts, "sentences")), StandardCharsets.UTF_8)
                .stream().filter(s -> !s.isBlank()).toList();
        PrintStream out = opts.containsKey("out")
                ? new PrintStream(Files.newOutputStream(Path.of(opts.get("out"))), true, StandardCharsets.UTF_8)
                : System.out;
        switch (args[0]) {
            case "raw" -> raw(opts, sentences, out);
            case "grpc" -> grpc(opts, sentences, out);
            default -> throw new IllegalArgumentException("mode must be raw or grpc, got " + args[0]);
        }
        out.flush();
    }

    private static void raw(Map<String, String> opts, List<String> sentences, PrintStream out) throws Exception {
        String modelName = opts.getOrDefault("model", "all-minilm-l6-v2");
        ModelSource source = ModelSource.BUILTIN.get(modelName);
        if (source == null) {
            throw new IllegalArgumentException("unknown built-in model " + modelName);
        }
        OrtRuntime runtime = new OrtRuntime(Integer.parseInt(opts.getOrDefault("threads", "0")),
                OrtRuntime.ExecutionProvider.parse(opts.getOrDefault("provider", "cpu")), 0, false);
        boolean sortByLength = Boolean.parseBoolean(opts.getOrDefault("sort", "false"));
        if (sortByLength) {
            // Batches of similar length pad less; a raw loop can do this when it has all texts up front.
            sentences = sentences.stream().sorted(java.util.Comparator.comparingInt(String::length)).toList();
        }
        try (OnnxEmbeddingModel model = source.load(EmbeddingBench.class.getClassLoader(), runtime)) {
            int parallel = Integer.parseInt(opts.getOrDefault("parallel", "1"));
            for (int batch : ints(opts.getOrDefault("batch-sizes", "1,8,16,32,64,128"))) {
                List<List<String>> batches = new ArrayList<>();
                for (int i = 0; i < sentences.size(); i += batch) {
                    batches.add(sentences.subList(i, Math.min(i + batch, sentences.size())));
                }
                runRaw(model, batches.subList(0, Math.min(batches.size(), Math.max(parallel, 512 / batch))),
                        parallel, null);  // warm-up
                long[] latencies = new long[batches.size()];
                long start = System.nanoTime();
                runRaw(model, batches, parallel, latencies);
                long elapsed = System.nanoTime() - start;
                ObjectNode row = result("raw-ort-jvm", model.backend(), sentences.size(), elapsed, latencies);
                row.put("batch_size", batch);
                row.put("sorted_by_length", sortByLength);
                row.put("parallel", parallel);
                row.put("intra_op_threads", runtime.threads());
                out.println(row);
                System.err.println("raw batch " + batch + ": " + row.get("sentences_per_s") + " sentences/s");
            }
        }
    }

    /** {@code parallel} threads share one session and take the next batch until none is left. */
    private static void runRaw(EmbeddingModel model, List<List<String>> batches, int parallel, long[] latencies)
            throws Exception {
        timedConcurrently(parallel, batches.size(), latencies, b -> {
            float[][] v = model.embed(model.tokenize(batches.get(b)));
            check(v.length == batches.get(b).size() && v[0].length == model.dimension(), "bad vectors");
        });
    }

    /**
     * {@code threads} threads take the next item index until {@code items} are done, timing each call of
     * {@code work} into {@code latencies} (when not null); the first failure is rethrown.
     */
    private static void timedConcurrently(int threads, int items, long[] latencies, IntConsumer work)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        work.accept(i);
                        if (latencies != null) {
                            latencies[i] = System.nanoTime() - t0;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void grpc(Map<String, String> opts, List<String> sentences, PrintStream out) throws Exception {
        String target = require(opts, "target");
        String model = opts.getOrDefault("model", "");
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try {
            EmbeddingServiceGrpc.EmbeddingServiceBlockingStub stub = EmbeddingServiceGrpc.newBlockingStub(channel);
            for (int clients : ints(opts.getOrDefault("concurrency", "1,4,16,64"))) {
                drive(stub, model, sentences.subList(0, Math.min(512, sentences.size())), clients, null);  // warm-up
                long[] latencies = new long[sentences.size()];
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                drive(stub, model, sentences, clients, latencies);
                long elapsed = System.nanoTime() - start;
                ObjectNode row = result("service-grpc", target, sentences.size(), elapsed, latencies);
                row.put("clients", clients);
                // The load generator shares the machine with the service: say how much CPU it took.
                row.put("client_cpu_cores", round((processCpuNanos() - cpuBefore) / (double) elapsed));
                out.println(row);
                System.err.println("grpc " + clients + " clients: " + row.get("sentences_per_s") + " sentences/s");
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** {@code clients} threads take the next sentence until none is left; one sentence per request. */
    private static void drive(EmbeddingServiceGrpc.EmbeddingServiceBlockingStub stub, String model,
            List<String> sentences, int clients, long[] latencies) throws Exception {
        timedConcurrently(clients, sentences.size(), latencies, i -> {
            EmbedResponse response = stub.withDeadlineAfter(60, TimeUnit.SECONDS).embed(
                    EmbedRequest.newBuilder().addTexts(sentences.get(i)).setModel(model).setTruncate(true).build());
            check(response.getEmbeddingsCount() == 1
                    && response.getEmbeddings(0).getValuesCount() == response.getDimension(),
                    "bad response for sentence " + i);
        });
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static ObjectNode result(String system, String detail, int sentences, long elapsedNanos, long[] latencies) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        ObjectNode row = JSON.createObjectNode();
        row.put("system", system);
        row.put("detail", detail);
        row.put("sentences", sentences);
        row.put("seconds", round(elapsedNanos / 1e9));
        row.put("sentences_per_s", round(sentences / (elapsedNanos / 1e9)));
        row.put("p50_ms", round(percentile(sorted, 0.50) / 1e6));
        row.put("p99_ms", round(percentile(sorted, 0.99) / 1e6));
        return row;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    /** {@code mode --key value ...}. */
    private static Map<String, String> options(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: EmbeddingBench raw|grpc --sentences FILE [--key value]...");
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
