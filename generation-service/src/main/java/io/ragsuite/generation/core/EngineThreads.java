package io.ragsuite.generation.core;

/**
 * The CPU threads llama.cpp runs with when none are configured: for decoding (one token per sequence per step)
 * half the processors this process may use, at least one; for prompt processing (prefill, many tokens per
 * step) all of them.
 *
 * <p>Why they differ: llama.cpp's CPU threads meet at a spinning barrier after every operation of the graph.
 * A decode step is hundreds of tiny operations, so when another process takes one of the cores (the other
 * three stages of the pipeline, the load, a neighbour on the node) a thread that is not scheduled holds the
 * others spinning at every barrier until its turn comes. Prefill operations are large matrix products, so the
 * same stalls cost little next to their work. Measured on this project's 2-CPU machine
 * (bench/generation/contention.sh; llama.cpp's own llama-bench, tokens/s, quiet -> one core busy elsewhere):
 * <ul>
 * <li>decode, 2 threads: 162 -> 48 (0.30x); 1 thread: 95 -> 95. Our service alike: 113 -> 31 and 81 -> 78.</li>
 * <li>prefill of 256 tokens, 2 threads: 349 -> 166; 1 thread: 185 -> 175.</li>
 * </ul>
 * So decoding one sequence on half the cores keeps its speed under load (and loses about a third on an idle
 * machine). llama.cpp runs a step of several sequences with the prefill threads, so that case is not covered,
 * and was not measured under load. Prefill on all cores is twice as fast when they are free and about as fast
 * as one thread when they are not (bench/generation/results/contention-notes.md). Half the processors is also llama-cpp-python's default ({@code cpu_count() // 2}) and, on machines
 * with two hardware threads per core, llama.cpp's (its physical cores). {@link Runtime#availableProcessors()}
 * follows a container's CPU limit, so in Kubernetes these are shares of the pod's CPUs.
 */
public final class EngineThreads {
    private EngineThreads() {
    }

    /**
     * @param configured decode threads asked for; 0 chooses from {@code processors}
     * @param processors CPUs this process may use
     */
    public static int decode(int configured, int processors) {
        return configured(configured, "rag.generation.threads") > 0 ? configured : Math.max(1, processors / 2);
    }

    /**
     * @param configured prompt-processing threads asked for; 0 chooses from {@code processors}
     * @param processors CPUs this process may use
     */
    public static int prefill(int configured, int processors) {
        return configured(configured, "rag.generation.threads-batch") > 0 ? configured : Math.max(1, processors);
    }

    public static int processors() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static int configured(int value, String key) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must be 0 (choose from the CPUs) or positive, got " + value);
        }
        return value;
    }
}
