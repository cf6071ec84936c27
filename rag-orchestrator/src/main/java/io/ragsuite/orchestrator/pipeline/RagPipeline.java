package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.guard.InjectionGuard;
import io.ragsuite.orchestrator.guard.PiiRedactor;
import io.ragsuite.orchestrator.guard.StreamingRedactor;
import io.ragsuite.orchestrator.prompt.Citations;
import io.ragsuite.orchestrator.prompt.PromptBuilder;
import io.ragsuite.orchestrator.rerank.Reranker;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.orchestrator.retrieve.Retriever;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The RAG pipeline as named steps over one {@link RagQuery}: retrieve (embed + search) -> rerank -> injection
 * check -> build prompt -> generate -> find citations. Each step is a port with a default implementation
 * ({@link Stages}); the query's options pick the retrieval mode, the reranker and the generation settings, and
 * the answer carries the time of each step. The answer (streamed or whole) passes the PII redactor last.
 */
public final class RagPipeline {

    /**
     * The pipeline's steps.
     *
     * @param rerankers      the reranker of each rerank mode a query may ask for (a missing one is refused)
     * @param injectionGuard checks the question and passages; {@link InjectionGuard#OFF} checks nothing
     * @param answerRedactor redacts personal data from answers; null leaves them as generated
     */
    public record Stages(Retriever retriever, Map<RagQuery.RerankMode, Reranker> rerankers, InjectionGuard injectionGuard,
            PromptBuilder promptBuilder, AnswerGenerator generator, PiiRedactor answerRedactor) {
        public Stages {
            rerankers = Map.copyOf(rerankers);
        }

        /** Retrieval and generation with no reranker (beyond "none"), guard or redactor. */
        public static Stages of(Retriever retriever, PromptBuilder promptBuilder, AnswerGenerator generator) {
            return new Stages(retriever, new EnumMap<>(Map.of(RagQuery.RerankMode.NONE, Reranker.NONE)),
                    InjectionGuard.OFF, promptBuilder, generator, null);
        }
    }

    private final Stages stages;
    private final RagLimits limits;
    private final QueryDefaults defaults;
    private final QueryObserver observer;

    public RagPipeline(Stages stages, RagLimits limits, QueryDefaults defaults, QueryObserver observer) {
        this.stages = stages;
        this.limits = limits;
        this.defaults = defaults;
        this.observer = observer;
        if (!stages.rerankers().containsKey(defaults.rerank())) {
            throw new IllegalArgumentException("no reranker for the default rerank mode " + defaults.rerank());
        }
    }

    /** The query with its defaults filled in, after checking every option (INVALID_ARGUMENT naming the field). */
    public RagQuery check(RagQuery query) {
        RagQuery resolved = query.resolve(defaults, limits);
        if (!stages.rerankers().containsKey(resolved.rerank())) {
            throw ServiceException.invalid("rerank " + RagQuery.name(resolved.rerank()) + " is not available here (one of "
                    + stages.rerankers().keySet().stream().map(RagQuery::name).sorted().toList() + ")");
        }
        return resolved;
    }

    /**
     * Answers a question.
     *
     * @param onPassages called once with the passages put in the prompt, before generation starts
     * @param onDelta    called with the answer text as it is generated
     */
    public CompletionStage<RagAnswer> query(RagQuery query, Consumer<List<Passage>> onPassages, Consumer<String> onDelta) {
        return observed(run -> answer(check(query), run, onPassages, onDelta), Function.identity());
    }

    /**
     * Answers a question as a stream of events to {@code out} (see {@link AnswerStream} for their order). Never
     * throws: every failure, including bad input, reaches {@link AnswerStream#failed}.
     */
    public void stream(RagQuery query, AnswerStream out) {
        CompletionStage<RagAnswer> answer;
        try {
            answer = query(query, out::passages, delta -> {
                // Throwing here cancels the generation call, which frees its slot at once.
                if (out.clientGone()) {
                    throw new CancellationException("client went away");
                }
                out.delta(delta);
            });
        } catch (RuntimeException e) {
            out.failed(e);
            return;
        }
        answer.whenComplete((done, failure) -> {
            if (failure != null) {
                out.failed(failure);
            } else {
                out.done(done);
            }
        });
    }

    public CompletionStage<RagAnswer> query(RagQuery query) {
        return query(query, () -> false);
    }

    /**
     * Answers a question in one piece, for a caller that may go away: once {@code clientGone} is true, the
     * generation call is cancelled at the next generated piece, which frees its slot at once (a unary caller
     * has no stream to notice the hang-up through, so its adapter says so here).
     */
    public CompletionStage<RagAnswer> query(RagQuery query, BooleanSupplier clientGone) {
        return query(query, passages -> {
        }, delta -> {
            if (clientGone.getAsBoolean()) {
                throw new CancellationException("client went away");
            }
        });
    }

    /** Retrieval only (retrieve, rerank, injection check): the passages a prompt would get, with no generation. */
    public CompletionStage<RetrievalAnswer> retrieve(RagQuery query) {
        if (query.hasGenerationOptions()) {
            throw ServiceException.invalid("max_tokens, temperature, seed and model apply only to queries that generate");
        }
        return observed(run -> {
            RagQuery q = check(query);
            return passages(q, run.start).thenApply(r -> new RetrievalAnswer(run.requestId, run.traceId(), r.kept,
                    timings(r, 0, run.start), r.retrieval.embeddingModel(), r.notes));
        }, RetrievalAnswer::asAnswer);
    }

    /** The steps up to the prompt: what was retrieved, kept, and noted, and the time of each step. */
    private record Screened(Retriever.Retrieval retrieval, List<Passage> kept, List<String> notes, double rerankMs,
            double guardMs) {
    }

    private CompletionStage<Screened> passages(RagQuery q, long start) {
        Reranker reranker = stages.rerankers().get(q.rerank());
        return stages.retriever().retrieve(q, reranker.candidates(q.topK())).thenCompose(retrieved -> {
            long reranking = System.nanoTime();
            // Rerank before the injection check, so that only the passages kept are checked (one embedding call
            // of top_k texts, not of every candidate).
            return reranker.rerank(q.question(), retrieved.passages(), q.topK()).thenCompose(reranked -> {
                long guarding = System.nanoTime();
                return stages.injectionGuard().screen(q.question(), reranked).thenApply(screened -> new Screened(
                        retrieved, screened.kept(), screened.notes(), millis(reranking, guarding),
                        millis(guarding, System.nanoTime())));
            });
        });
    }

    private CompletionStage<RagAnswer> answer(RagQuery q, ObservedRun run, Consumer<List<Passage>> onPassages,
            Consumer<String> onDelta) {
        return passages(q, run.start).thenCompose(screened -> {
            PromptBuilder.BuiltPrompt prompt = stages.promptBuilder().build(q.question(), screened.kept);
            onPassages.accept(prompt.used());
            long generating = System.nanoTime();
            StreamingRedactor redactor = stages.answerRedactor() == null ? null : stages.answerRedactor().streaming();
            // The whole answer is what was streamed, redacted once on the way out.
            StringBuilder redacted = new StringBuilder();
            Consumer<String> deltas = redactor == null ? onDelta : piece -> {
                String safe = redactor.accept(piece);
                if (!safe.isEmpty()) {
                    redacted.append(safe);
                    onDelta.accept(safe);
                }
            };
            var options = new AnswerGenerator.Options(q.maxTokens(), q.temperature(), q.seed(), q.model());
            return stages.generator().generate(prompt.messages(), options, deltas).thenApply(generated -> {
                String text = generated.text();
                if (redactor != null) {
                    String tail = redactor.finish();
                    if (!tail.isEmpty()) {
                        redacted.append(tail);
                        onDelta.accept(tail);
                    }
                    text = redacted.toString();
                }
                text = text.strip();
                double generateMs = millis(generating, System.nanoTime());
                List<Passage> context = prompt.used();
                List<RagAnswer.Citation> citations = new ArrayList<>();
                for (int marker : Citations.markers(text, context.size())) {
                    Passage p = context.get(marker - 1);
                    citations.add(new RagAnswer.Citation(marker, p.documentId(), p.chunkIndex(), p.score()));
                }
                return new RagAnswer(run.requestId, run.traceId(), text, citations, screened.kept, context,
                        citations.isEmpty(), generated.finishReason(), generated.usage(),
                        timings(screened, generateMs, run.start), screened.retrieval.embeddingModel(), generated.model(),
                        prompt.dropped().size(), screened.notes);
            });
        });
    }

    private static RagAnswer.Timings timings(Screened s, double generateMs, long start) {
        return new RagAnswer.Timings(s.retrieval.embedMs(), s.retrieval.searchMs(), s.rerankMs, s.guardMs, generateMs,
                millis(start, System.nanoTime()));
    }

    /** One query's run as the observer sees it. */
    private record ObservedRun(String requestId, long start, QueryObserver.Run run) {
        String traceId() {
            return run.traceId();
        }
    }

    /** Runs a query under the observer: starts it, and reports its outcome (or a failure to check it). */
    private <T> CompletionStage<T> observed(Function<ObservedRun, CompletionStage<T>> body,
            Function<T, RagAnswer> reported) {
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        QueryObserver.Run run = observer.start(requestId);
        CompletionStage<T> result;
        try (run) {
            result = body.apply(new ObservedRun(requestId, start, run));
        } catch (RuntimeException e) {
            run.failed(millis(start, System.nanoTime()), e);
            throw e;
        }
        return result.whenComplete((value, failure) -> {
            if (failure != null) {
                run.failed(millis(start, System.nanoTime()), failure);
            } else {
                run.answered(reported.apply(value));
            }
        });
    }

    private static double millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }
}
