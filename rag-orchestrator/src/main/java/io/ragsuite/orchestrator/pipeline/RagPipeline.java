package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.orchestrator.guard.InjectionCheck;
import io.ragsuite.orchestrator.guard.InjectionGuard;
import io.ragsuite.orchestrator.guard.InjectionPolicy;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * embed -> search -> rerank -> injection check -> build prompt -> generate, with the time spent in each stage; the answer (streamed or whole)
 * passes the PII redactor last.
 */
public final class RagPipeline {
    private final Retriever retriever;
    private final PromptBuilder promptBuilder;
    private final AnswerGenerator generator;
    private final RagLimits limits;
    private final io.ragsuite.orchestrator.guard.PiiRedactor answerRedactor;
    private final InjectionGuard injectionGuard;
    private final QueryObserver observer;
    private final Reranker reranker;

    public RagPipeline(Retriever retriever, PromptBuilder promptBuilder, AnswerGenerator generator, RagLimits limits) {
        this(retriever, promptBuilder, generator, limits, null, null, QueryObserver.NONE, Reranker.NONE);
    }

    /**
     * @param answerRedactor redacts personal data from answers; null leaves them as generated
     * @param injectionGuard checks the question and every retrieved passage for prompt injection; null skips it
     * @param observer       told of every query's start and outcome (logs, traces)
     * @param reranker       orders the retrieved (and checked) candidates and keeps top_k of them
     */
    public RagPipeline(Retriever retriever, PromptBuilder promptBuilder, AnswerGenerator generator, RagLimits limits,
            io.ragsuite.orchestrator.guard.PiiRedactor answerRedactor, InjectionGuard injectionGuard,
            QueryObserver observer, Reranker reranker) {
        this.observer = observer;
        this.reranker = reranker;
        this.answerRedactor = answerRedactor;
        this.injectionGuard = injectionGuard;
        this.retriever = retriever;
        this.promptBuilder = promptBuilder;
        this.generator = generator;
        this.limits = limits;
    }

    /** Checks a question and its top_k (0 selects the default); returns the top_k to use. */
    public int check(String question, int topK) {
        Require.nonBlank(question, "question");
        Require.maxLength(question, limits.maxQuestionChars(), "question");
        return topK == 0 ? limits.defaultTopK() : Require.inRange(topK, 1, limits.maxTopK(), "top_k");
    }

    /**
     * Answers a question.
     *
     * @param onPassages called once with the retrieved passages, before generation starts
     * @param onDelta    called with the answer text as it is generated
     */
    public CompletionStage<RagAnswer> query(String question, int topK, Consumer<List<Passage>> onPassages,
            Consumer<String> onDelta) {
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        QueryObserver.Run run = observer.start(requestId);
        CompletionStage<RagAnswer> answer;
        try (run) {
            answer = answer(question, check(question, topK), requestId, run.traceId(), start, onPassages, onDelta);
        } catch (RuntimeException e) {
            run.failed((System.nanoTime() - start) / 1e6, e);
            throw e;
        }
        return answer.whenComplete((a, failure) -> {
            if (failure != null) {
                run.failed((System.nanoTime() - start) / 1e6, failure);
            } else {
                run.answered(a);
            }
        });
    }

    private CompletionStage<RagAnswer> answer(String question, int k, String requestId, String traceId, long start,
            Consumer<List<Passage>> onPassages, Consumer<String> onDelta) {
        List<String> notes = new ArrayList<>();
        // Rerank before the injection check, so that only the passages kept are checked (one embedding call of
        // top_k texts, not of every candidate).
        return retriever.retrieve(question, reranker.candidates(k))
                .thenCompose(retrieved -> reranker.rerank(question, retrieved.passages(), k).thenApply(kept ->
                        new Retriever.Retrieval(kept, retrieved.embeddingModel(), retrieved.embedMs(), retrieved.searchMs())))
                .thenCompose(reranked -> guard(question, reranked, notes))
                .thenCompose(retrieval -> {
            onPassages.accept(retrieval.passages());
            PromptBuilder.BuiltPrompt prompt = promptBuilder.build(question, retrieval.passages());
            long generating = System.nanoTime();
            var streamRedactor = answerRedactor == null ? null : answerRedactor.streaming();
            // The whole answer is what was streamed, redacted once on the way out.
            StringBuilder redacted = new StringBuilder();
            Consumer<String> deltas = streamRedactor == null ? onDelta : piece -> {
                String safe = streamRedactor.accept(piece);
                if (!safe.isEmpty()) {
                    redacted.append(safe);
                    onDelta.accept(safe);
                }
            };
            return generator.generate(prompt.messages(), limits.maxAnswerTokens(), deltas).thenApply(generated -> {
                AnswerGenerator.Answer answer = generated;
                if (streamRedactor != null) {
                    String tail = streamRedactor.finish();
                    if (!tail.isEmpty()) {
                        redacted.append(tail);
                        onDelta.accept(tail);
                    }
                    answer = new AnswerGenerator.Answer(redacted.toString(), generated.model(), generated.finishReason());
                }
                long end = System.nanoTime();
                List<RagAnswer.Citation> citations = new ArrayList<>();
                for (int i = 0; i < prompt.used().size(); i++) {
                    Passage p = prompt.used().get(i);
                    citations.add(new RagAnswer.Citation(i + 1, p.documentId(), p.chunkIndex(), p.score()));
                }
                RagAnswer.Timings timings = new RagAnswer.Timings(retrieval.embedMs(), retrieval.searchMs(),
                        (end - generating) / 1e6, (end - start) / 1e6);
                return new RagAnswer(requestId, traceId, answer.text().strip(), citations, retrieval.passages(), timings,
                        retrieval.embeddingModel(), answer.model(), prompt.dropped().size(), List.copyOf(notes));
            });
        });
    }

    /**
     * Checks the question and the passages (indirect injection through documents) as the guard's policies say:
     * refuses the query, or leaves passages out, or notes what it found.
     */
    private CompletionStage<Retriever.Retrieval> guard(String question, Retriever.Retrieval retrieval, List<String> notes) {
        if (injectionGuard == null || !injectionGuard.active()) {
            return java.util.concurrent.CompletableFuture.completedFuture(retrieval);
        }
        List<String> texts = new ArrayList<>();
        texts.add(question);
        retrieval.passages().forEach(p -> texts.add(p.text()));
        return injectionGuard.detector().check(texts).thenApply(checks -> {
            InjectionCheck q = checks.get(0);
            if (q.suspicious() && injectionGuard.questionPolicy() != InjectionPolicy.OFF) {
                if (injectionGuard.questionPolicy() == InjectionPolicy.FLAG) {
                    notes.add("question flagged by the prompt-injection check: " + String.join(", ", q.reasons()));
                } else {
                    throw ServiceException.invalid("the question was refused by the prompt-injection check ("
                            + String.join(", ", q.reasons()) + ")");
                }
            }
            List<Passage> kept = new ArrayList<>();
            for (int i = 0; i < retrieval.passages().size(); i++) {
                Passage p = retrieval.passages().get(i);
                InjectionCheck c = checks.get(i + 1);
                if (!c.suspicious() || injectionGuard.passagePolicy() == InjectionPolicy.OFF) {
                    kept.add(p);
                    continue;
                }
                String where = p.documentId() + "#" + p.chunkIndex();
                switch (injectionGuard.passagePolicy()) {
                    case BLOCK -> throw ServiceException.invalid("a retrieved passage (" + where
                            + ") was refused by the prompt-injection check (" + String.join(", ", c.reasons()) + ")");
                    case STRIP -> notes.add("passage " + where + " left out by the prompt-injection check: "
                            + String.join(", ", c.reasons()));
                    default -> {
                        notes.add("passage " + where + " flagged by the prompt-injection check: "
                                + String.join(", ", c.reasons()));
                        kept.add(p);
                    }
                }
            }
            return new Retriever.Retrieval(kept, retrieval.embeddingModel(), retrieval.embedMs(), retrieval.searchMs());
        });
    }

    public CompletionStage<RagAnswer> query(String question, int topK) {
        return query(question, topK, passages -> {
        }, delta -> {
        });
    }
}
