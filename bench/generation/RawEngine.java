import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw engine for bench/generation: llama.cpp through de.kherud:llama in one JVM, no service around it, with
 * the generation service's engine settings (N parallel slots, continuous batching, same threads and context per
 * slot), streamed by C threads that each send requests back to back. Prints one JSON line per level, in
 * load.py's format, so "service overhead" is ours over this in the same run.
 *
 *   java -cp llama-4.2.0.jar RawEngine.java MODEL.gguf SLOTS CTX_PER_SLOT THREADS CONCURRENCY MAX_TOKENS PER_STREAM
 */
public class RawEngine {
    static final java.util.concurrent.atomic.AtomicInteger REQUESTS = new java.util.concurrent.atomic.AtomicInteger();
    // What SmolLM2's chat template renders for one user message (its default system prompt included), as the
    // service renders it.
    static String prompt(String question) {
        return "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\n" + question + "<|im_end|>\n<|im_start|>assistant\n";
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int slots = Integer.parseInt(args[1]);
        int ctx = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        String[] levels = args[4].split(",");
        int maxTokens = Integer.parseInt(args[5]);
        int perStream = Integer.parseInt(args[6]);
        List<String> prompts = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(Files.readString(Path.of(args[7])));
        while (m.find()) {
            prompts.add(m.group(1));
        }
        LlamaModel.setLogger(de.kherud.llama.args.LogFormat.TEXT, (level, msg) -> { });
        LlamaModel llama = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(ctx * slots)
                .setParallel(slots).enableContBatching().setThreads(threads).setThreadsBatch(threads));
        run(llama, List.of("Say hello."), 1, maxTokens, 1); // warm-up
        for (String level : levels) {
            System.out.println(run(llama, prompts, Integer.parseInt(level), maxTokens, perStream));
        }
        System.out.flush();
        // The binding's close() can wait forever for its server thread after streamed requests; the process
        // ends here anyway.
        Runtime.getRuntime().halt(0);
    }

    static String run(LlamaModel llama, List<String> prompts, int concurrency, int maxTokens, int perStream)
            throws InterruptedException {
        List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
        List<Double> gaps = Collections.synchronizedList(new ArrayList<>());
        long[] tokens = {0};
        CountDownLatch done = new CountDownLatch(concurrency);
        long t0 = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            int stream = i;
            Thread.ofPlatform().start(() -> {
                for (int k = 0; k < perStream; k++) {
                    // A new prompt per request, as load.py sends, so no whole-prompt cache hits.
                    String q = prompts.get((stream * perStream + k) % prompts.size()) + " (Request "
                            + REQUESTS.incrementAndGet() + ".)";
                    InferenceParameters p = new InferenceParameters(prompt(q)).setNPredict(maxTokens).setTemperature(0f)
                            .setTopP(0.95f).setTopK(40).setMinP(0.05f).setRepeatPenalty(1f).setSeed(1).setCachePrompt(true);
                    long start = System.nanoTime();
                    long last = 0;
                    for (LlamaOutput out : llama.generate(p)) {
                        if (out.text.isEmpty()) {
                            continue;
                        }
                        long now = System.nanoTime();
                        if (last == 0) {
                            ttft.add((now - start) / 1e6);
                        } else {
                            gaps.add((now - last) / 1e6);
                        }
                        last = now;
                        synchronized (tokens) {
                            tokens[0]++;
                        }
                    }
                }
                done.countDown();
            });
        }
        done.await();
        double wall = (System.nanoTime() - t0) / 1e9;
        return String.format(java.util.Locale.ROOT, "{\"system\": \"raw llama.cpp (jllama in process)\", \"concurrency\": %d, "
                + "\"requests\": %d, \"tokens\": %d, \"wall_s\": %.3f, \"tokens_per_s\": %.2f, \"ttft_ms_p50\": %.2f, "
                + "\"ttft_ms_p99\": %.2f, \"itl_ms_p50\": %.3f, \"itl_ms_p99\": %.3f, \"max_tokens\": %d}",
                concurrency, concurrency * perStream, tokens[0], wall, tokens[0] / wall, pct(ttft, 50), pct(ttft, 99),
                pct(gaps, 50), pct(gaps, 99), maxTokens);
    }

    static double pct(List<Double> xs, double q) {
        if (xs.isEmpty()) {
            return 0;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        // Linear interpolation, as numpy.percentile does.
        double rank = q / 100 * (s.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(s.size() - 1, lo + 1);
        return s.get(lo) + (s.get(hi) - s.get(lo)) * (rank - lo);
    }
}
