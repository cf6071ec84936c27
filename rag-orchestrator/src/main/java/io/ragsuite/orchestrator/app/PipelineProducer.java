package io.ragsuite.orchestrator.app;

import io.ragsuite.orchestrator.ingest.DefaultDocumentChunker;
import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.orchestrator.ingest.IngestLimits;
import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.prompt.DefaultPromptBuilder;
import io.ragsuite.orchestrator.retrieve.DefaultRetriever;
import io.ragsuite.orchestrator.retrieve.Embedder;
import io.ragsuite.orchestrator.retrieve.PassageStore;
import io.ragsuite.orchestrator.pipeline.RagLimits;
import io.ragsuite.orchestrator.pipeline.QueryDefaults;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import java.util.EnumMap;
import java.util.Map;
import io.ragsuite.orchestrator.guard.DefaultInjectionDetector;
import io.ragsuite.orchestrator.guard.DefaultPiiRedactor;
import io.ragsuite.orchestrator.guard.InjectionExemplar;
import io.ragsuite.orchestrator.guard.InjectionGuard;
import io.ragsuite.orchestrator.guard.InjectionPolicy;
import io.ragsuite.orchestrator.guard.PiiRedactor;
import io.ragsuite.orchestrator.guard.PiiType;
import io.ragsuite.orchestrator.guard.RedactionMode;
import io.ragsuite.orchestrator.rerank.MmrReranker;
import io.ragsuite.orchestrator.rerank.Reranker;
import jakarta.enterprise.inject.Produces;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import jakarta.inject.Singleton;

/** Wires the pipeline stages to the gRPC clients; swapping a stage means producing another implementation. */
public class PipelineProducer {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PipelineProducer.class);

    @Produces
    @Singleton
    RagPipeline pipeline(Embedder embedder, PassageStore store, AnswerGenerator generator, OrchestratorConfig config,
            PiiRedactor redactor, io.opentelemetry.api.trace.Tracer tracer, InjectionGuard injectionGuard) {
        OrchestratorConfig.Rerank rerank = config.rerank();
        Map<RagQuery.RerankMode, Reranker> rerankers = new EnumMap<>(RagQuery.RerankMode.class);
        rerankers.put(RagQuery.RerankMode.NONE, Reranker.NONE);
        rerankers.put(RagQuery.RerankMode.MMR, new MmrReranker(rerank.lambda(), rerank.candidateFactor()));
        var stages = new RagPipeline.Stages(new DefaultRetriever(embedder, store), rerankers,
                injectionGuard, new DefaultPromptBuilder(config.promptContextChars()), generator,
                config.pii().onAnswer() ? redactor : null);
        var limits = new RagLimits(config.defaultTopK(), config.maxTopK(), config.maxQuestionChars(),
                config.maxAnswerTokens());
        return new RagPipeline(stages, limits, queryDefaults(config), new QueryLog(tracer));
    }

    static QueryDefaults queryDefaults(OrchestratorConfig config) {
        OrchestratorConfig.Retrieval r = config.retrieval();
        var defaults = new QueryDefaults(
                parse(RagQuery.Retrieval.class, r.mode(), "rag.orchestrator.retrieval.mode"),
                parse(RagQuery.Fusion.class, r.fusion(), "rag.orchestrator.retrieval.fusion"),
                r.denseWeight(), r.bm25Weight(),
                parse(RagQuery.RerankMode.class, config.rerank().mode(), "rag.orchestrator.rerank.mode"),
                config.temperature());
        if (!(defaults.denseWeight() >= 0 && defaults.bm25Weight() >= 0
                && defaults.denseWeight() + defaults.bm25Weight() > 0)) {
            throw new IllegalArgumentException("rag.orchestrator.retrieval.dense-weight and bm25-weight must be >= 0"
                    + " and not both 0");
        }
        if (!(defaults.temperature() >= 0 && defaults.temperature() <= RagQuery.MAX_TEMPERATURE)) {
            throw new IllegalArgumentException("rag.orchestrator.temperature must be within [0, "
                    + RagQuery.MAX_TEMPERATURE + "]");
        }
        return defaults;
    }

    /**
     * What the injection classifier is trained on when no exemplars file replaces it: the labelled splits of
     * {@code guard-eval/} that the rules were tuned on (copied into the jar by the pom), never the test split
     * (fresh-injection-round4.jsonl).
     */
    public static final List<String> INJECTION_TRAINING_SETS = List.of("injection-eval.jsonl", "injection-holdout.jsonl",
            "fresh-injection-dev.jsonl", "fresh-injection-round1.jsonl", "fresh-injection-round2.jsonl",
            "fresh-injection-round3.jsonl");

    @Produces
    @Singleton
    InjectionGuard injectionGuard(Embedder embedder, OrchestratorConfig config) {
        OrchestratorConfig.Injection c = config.injection();
        InjectionPolicy question = parse(InjectionPolicy.class, c.questionPolicy(), "rag.orchestrator.injection.question-policy");
        InjectionPolicy passage = parse(InjectionPolicy.class, c.passagePolicy(), "rag.orchestrator.injection.passage-policy");
        if (question == InjectionPolicy.OFF && passage == InjectionPolicy.OFF) {
            return InjectionGuard.OFF;
        }
        return new InjectionGuard(new DefaultInjectionDetector(embedder,
                injectionExemplars(c.seedsFile(), c.exemplarsFile(), INJECTION_TRAINING_SETS), c.threshold(),
                c.ruleVeto(), config.embedBatch()), question, passage);
    }

    /**
     * The seed attacks (or those of {@code seedsFile}), the benign look-alikes and the training {@code sets}, plus the
     * operator's own {@code exemplarsFile}.
     */
    public static List<InjectionExemplar> injectionExemplars(java.util.Optional<java.nio.file.Path> seedsFile,
            java.util.Optional<java.nio.file.Path> exemplarsFile, List<String> sets) {
        List<InjectionExemplar> out = new java.util.ArrayList<>();
        exemplars(seedsFile, "/guard/injection-seeds.txt", "the prompt-injection seed attacks").stream()
                .map(InjectionExemplar::attack).forEach(out::add);
        exemplars(java.util.Optional.empty(), "/guard/injection-benign-seeds.txt", "the prompt-injection look-alikes")
                .stream().map(InjectionExemplar::benign).forEach(out::add);
        for (String set : sets) {
            String resource = "/guard/exemplars/" + set;
            out.addAll(exemplarLines(java.util.Optional.empty(), resource, resource.substring(1)));
        }
        if (exemplarsFile.isPresent()) {
            out.addAll(exemplarLines(exemplarsFile, null,
                    "rag.orchestrator.injection.exemplars-file " + exemplarsFile.get()));
        }
        return out;
    }

    private static List<InjectionExemplar> exemplarLines(java.util.Optional<java.nio.file.Path> file, String resource,
            String what) {
        try (var in = open(file, resource)) {
            return InjectionExemplar.readJsonLines(in, what);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + what, e);
        }
    }

    /** {@code file} if given, else the built-in {@code resource}, which must be in the jar. */
    private static java.io.InputStream open(java.util.Optional<java.nio.file.Path> file, String resource)
            throws java.io.IOException {
        if (file.isPresent()) {
            return java.nio.file.Files.newInputStream(file.get());
        }
        var in = PipelineProducer.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource.substring(1) + " is missing from the build");
        }
        return in;
    }

    /** Trains the injection classifier while the service starts, not at the first query; readiness waits for it. */
    void trainInjectionClassifier(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event,
            InjectionGuard guard) {
        if (guard.detector() instanceof DefaultInjectionDetector detector) {
            long start = System.nanoTime();
            detector.warmUp().whenComplete((ok, failure) -> {
                if (failure == null) {
                    LOG.infof("injection classifier trained in %d ms", (System.nanoTime() - start) / 1_000_000);
                } else {
                    LOG.infof("injection classifier not trained yet (%s); the readiness check tries again",
                            failure.getMessage());
                }
            });
        }
    }

    /** Non-empty, non-'#' lines of {@code file}, or of the built-in {@code resource} when no file is given. */
    private static List<String> exemplars(java.util.Optional<java.nio.file.Path> file, String resource, String what) {
        try (var in = open(file, resource)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + what, e);
        }
    }

    @Produces
    @Singleton
    DocumentIngestor ingestor(Embedder embedder, PassageStore store, OrchestratorConfig config, PiiRedactor redactor) {
        return new DocumentIngestor(new DefaultDocumentChunker(config.chunkChars(), config.chunkOverlapChars()), embedder,
                store, new IngestLimits(config.maxDocuments(), config.maxDocumentChars(), config.embedBatch(),
                        config.maxBatchDocuments()),
                config.pii().onIngest() ? redactor : null);
    }

    @Produces
    @Singleton
    PiiRedactor redactor(OrchestratorConfig config) {
        OrchestratorConfig.Pii pii = config.pii();
        RedactionMode mode = parse(RedactionMode.class, pii.mode(), "rag.orchestrator.pii.mode");
        Set<PiiType> types = EnumSet.noneOf(PiiType.class);
        pii.types().forEach(t -> types.add(parse(PiiType.class, t, "rag.orchestrator.pii.types")));
        byte[] key = null;
        if (mode == RedactionMode.HASH) {
            if (pii.hashKey().isPresent()) {
                key = pii.hashKey().get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } else {
                key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                LOG.warn("rag.orchestrator.pii.hash-key is not set: hashed PII tokens use a random key and change at restart");
            }
        }
        return new DefaultPiiRedactor(types, mode, pii.phoneRegion(), key);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String key) {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT));
        }
    }
}
