import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.core.GenerationEngine;
import io.ragsuite.generation.core.GgufHeader;
import io.ragsuite.generation.core.LlamaCppEngine;
import io.ragsuite.generation.core.Sampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generation service's engine (LlamaCppEngine over our llama.cpp binding) in one JVM, without the service,
 * gRPC or a client: what ceiling-compare.sh sets beside llama.cpp's batched-bench to tell the engine's cost from
 * the service's and the load generator's. Run by ceiling-compare.sh with the service's jars on the class path:
 *   java -cp 'generation-service/target/quarkus-app/lib/main/*:generation-service/target/classes' \
 *       bench/generation/EngineBench.java MODEL SLOTS DECODE_THREADS PROMPT_THREADS LEVELS TOKENS PROMPTS_JSON [FLASH]
 * FLASH is on or off (default on, the service's rag.generation.flash-attention), so the engine can be set beside
 * batched-bench at the same flash-attention setting.
 * Per level (concurrent sequences) it prints one JSON line: decode tokens/s as streams x 1000 / inter-token gap
 * p50 (the gap is one decode step of all active sequences), and aggregate generated tokens/s. Each stream sends
 * 2 greedy requests of TOKENS tokens (end of sequence ignored), as load.py does.
 */
public class EngineBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int slots = Integer.parseInt(args[1]);
        int decode = Integer.parseInt(args[2]);
        int prefill = Integer.parseInt(args[3]);
        String[] levels = args[4].split(",");
        int tokens = Integer.parseInt(args[5]);
        boolean flash = args.length <= 7 || !args[7].equals("off");
        List<String> prompts = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(Files.readString(Path.of(args[6])));
        while (m.find()) {
            prompts.add(m.group(1));
        }
        String template = GgufHeader.read(model).metadata().get("tokenizer.chat_template") instanceof String t ? t : null;
        try (LlamaCppEngine engine = new LlamaCppEngine("bench", model,
                new LlamaCppEngine.Settings(slots, 512, decode, prefill, true, flash), template, List.of())) {
            Sampling greedy = new Sampling(tokens, 0f, 1f, 40, 0.05f, 1f, 1, List.of(), true, null, null);
            // Warm-up: one request, so the first level does not pay for page faults of the weights.
            engine.complete(engine.prompt(List.of(new ChatTurn("user", prompts.get(0)))), greedy, piece -> true);
            for (String level : levels) {
                int streams = Integer.parseInt(level);
                List<Long> gaps = Collections.synchronizedList(new ArrayList<>());
                long[] generated = new long[streams];
                CountDownLatch done = new CountDownLatch(streams);
                long start = System.nanoTime();
                for (int s = 0; s < streams; s++) {
                    int stream = s;
                    Thread.ofPlatform().start(() -> {
                        for (int r = 0; r < 2; r++) {
                            String text = prompts.get((stream * 2 + r) % prompts.size());
                            long[] last = {0};
                            GenerationEngine.Completion c = engine.complete(
                                    engine.prompt(List.of(new ChatTurn("user", text))), greedy, piece -> {
                                        long now = System.nanoTime();
                                        if (last[0] != 0) {
                                            gaps.add(now - last[0]);
                                        }
                                        last[0] = now;
                                        return true;
                                    });
                            generated[stream] += c.tokens();
                        }
                        done.countDown();
                    });
                }
                done.await();
                double seconds = (System.nanoTime() - start) / 1e9;
                List<Long> sorted = new ArrayList<>(gaps);
                Collections.sort(sorted);
                double p50ms = sorted.get(sorted.size() / 2) / 1e6;
                long total = 0;
                for (long g : generated) {
                    total += g;
                }
                System.out.printf("{\"concurrency\": %d, \"itl_ms_p50\": %.3f, \"decode_tokens_per_s\": %.1f, "
                        + "\"tokens_per_s\": %.1f}%n", streams, p50ms, streams * 1000 / p50ms, total / seconds);
            }
        }
    }
}
