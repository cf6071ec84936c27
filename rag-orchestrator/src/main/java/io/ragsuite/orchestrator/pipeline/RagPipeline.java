package io.ragsuite.orchestrator.pipeline;

import io.ragsuite.support.error.Require;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** embed -> search -> build prompt -> generate, with the time spent in each stage. */
public final class RagPipeline {
    private final Retriever retriever;
    private final PromptBuilder promptBuilder;
    private final AnswerGenerator generator;
    private final RagLimits limits;

    public RagPipeline(Retriever retriever, PromptBuilder promptBuilder, AnswerGenerator generator, RagLimits limits) {
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
        int k = check(question, topK);
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        return retriever.retrieve(question, k).thenCompose(retrieval -> {
            onPassages.accept(retrieval.passages());
            PromptBuilder.BuiltPrompt prompt = promptBuilder.build(question, retrieval.passages());
            long generating = System.nanoTime();
            return generator.generate(prompt.messages(), limits.maxAnswerTokens(), onDelta).thenApply(answer -> {
                long end = System.nanoTime();
                List<RagAnswer.Citation> citations = new ArrayList<>();
                for (int i = 0; i < prompt.used().size(); i++) {
                    Passage p = prompt.used().get(i);
                    citations.add(new RagAnswer.Citation(i + 1, p.documentId(), p.chunkIndex(), p.score()));
                }
                RagAnswer.Timings timings = new RagAnswer.Timings(retrieval.embedMs(), retrieval.searchMs(),
                        (end - generating) / 1e6, (end - start) / 1e6);
                return new RagAnswer(requestId, answer.text().strip(), citations, retrieval.passages(), timings,
                        retrieval.embeddingModel(), answer.model(), prompt.dropped().size());
            });
        });
    }

    public CompletionStage<RagAnswer> query(String question, int topK) {
        return query(question, topK, passages -> {
        }, delta -> {
        });
    }
}
