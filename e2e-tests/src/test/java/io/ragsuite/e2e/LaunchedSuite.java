package io.ragsuite.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The four services as {@code ./rag up} starts them, for one test class: a temporary run and vector-data
 * directory, free ports, the launcher's environment (which a test adds to before {@code up}), and the launcher
 * itself run as a child process.
 */
final class LaunchedSuite {
    static final List<String> SERVICES = List.of("embedding-service", "vector-search-service",
            "generation-service", "rag-orchestrator");
    /** Launcher variable holding each service's port (HTTP and gRPC share it). */
    private static final Map<String, String> PORT_VARIABLES = Map.of(
            "embedding-service", "RAG_EMBEDDING_PORT",
            "vector-search-service", "RAG_VECTOR_SEARCH_PORT",
            "generation-service", "RAG_GENERATION_PORT",
            "rag-orchestrator", "RAG_ORCHESTRATOR_PORT");

    record LauncherRun(int exitCode, boolean timedOut, String output) {
    }

    final Path root;
    final Path workDir;
    final Path runDir;
    /** The launcher's environment on top of this process' own. */
    final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    private LaunchedSuite(Path root, Path workDir) {
        this.root = root;
        this.workDir = workDir;
        this.runDir = workDir.resolve("run");
    }

    /** A suite in a fresh temporary directory named {@code prefix...}, not started yet. */
    static LaunchedSuite prepare(String prefix) throws IOException {
        LaunchedSuite suite = new LaunchedSuite(E2eSupport.repoRoot(), Files.createTempDirectory(prefix));
        suite.env.put("RAG_RUN_DIR", suite.runDir.toString());
        suite.env.put("RAG_VECTOR_DATA_DIR", suite.workDir.resolve("vector-data").toString());
        List<Integer> free = E2eSupport.freePorts(SERVICES.size());
        for (int i = 0; i < SERVICES.size(); i++) {
            suite.ports.put(SERVICES.get(i), free.get(i));
            suite.env.put(PORT_VARIABLES.get(SERVICES.get(i)), Integer.toString(free.get(i)));
        }
        return suite;
    }

    /** The packaged services this suite runs that are missing, relative to the repository. */
    List<String> missingJars() {
        return SERVICES.stream().filter(s -> !Files.isRegularFile(E2eSupport.jarOf(root, s)))
                .map(s -> root.relativize(E2eSupport.jarOf(root, s)).toString()).toList();
    }

    int port(String service) {
        return ports.get(service);
    }

    Path log(String service) {
        return runDir.resolve("logs").resolve(service + ".log");
    }

    long pid(String service) throws IOException {
        return Long.parseLong(Files.readString(runDir.resolve("pids").resolve(service + ".pid")).strip());
    }

    /**
     * Runs {@code bash <root>/rag <args>} with {@link #env}, output to a file (the services it starts must not
     * inherit a pipe of ours).
     */
    LauncherRun launcher(Duration timeout, String... args) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path output = Files.createTempFile(workDir, "rag-" + args[0] + "-", ".out");
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("rag").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = "--- output of `rag " + String.join(" ", args) + "`:\n" + Files.readString(output);
        return new LauncherRun(finished ? process.exitValue() : -1, !finished, text);
    }

    /** The last lines of every service's log, for failure messages. */
    String logTails() {
        StringBuilder out = new StringBuilder();
        for (String service : SERVICES) {
            Path log = log(service);
            out.append("\n--- last 60 lines of ").append(log).append(":\n");
            try {
                List<String> lines = Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> out.append(l).append('\n'));
            } catch (IOException e) {
                out.append("(not readable: ").append(e).append(")\n");
            }
        }
        return out.toString();
    }

    void deleteWorkDir() throws IOException {
        if (!Files.exists(workDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
