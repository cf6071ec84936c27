package io.ragsuite.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.orchestrator.generate.AnswerGenerator;
import io.ragsuite.orchestrator.guard.InjectionGuard;
import io.ragsuite.orchestrator.prompt.DefaultPromptBuilder;
import io.ragsuite.orchestrator.rerank.MmrReranker;
import io.ragsuite.orchestrator.rerank.Reranker;
import io.ragsuite.orchestrator.retrieve.Passage;
import io.ragsuite.orchestrator.retrieve.Retriever;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A query's options reach the stage that uses them, and the answer reports what the model cited. The retriever
 * and generator are in-memory stand-ins that record what they were asked: what is under test is the pipeline's
 * routing of options, not retrieval or generation (those run for real in the service and end-to-end tests).
 */
class RagPipelineOptionsTest {
    private final List<RagQuery> retrieved = new ArrayList<>();
    private final List<Integer> candidates = new ArrayList<>();
    private final List<AnswerGenerator.Options> generated = new ArrayList<>();
    private String modelAnswer = "Keys map to buckets [2], and collisions chain [1][2].";

    private final Retriever retriever = (query, k) -> {
        retrieved.add(query);
        candidates.add(k);
        List<Passage> found = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            found.add(new Passage("doc-" + i, 0, "", "Passage number " + i + " about hash tables and buckets " + i, 1f - i / 100f));
        }
        return CompletableFuture.completedFuture(new Retriever.Retrieval(found, "emb", 1, 2));
    };

    private final AnswerGenerator generator = (messages, options, onDelta) -> {
        generated.add(options);
        onDelta.accept(modelAnswer);
        return CompletableFuture.completedFuture(new AnswerGenerator.Answer(modelAnswer, "gen", "length",
                new AnswerGenerator.Usage(120, 16)));
    };

    private RagPipeline pipeline() {
        return new RagPipeline(new RagPipeline.Stages(retriever, Map.of(RagQuery.RerankMode.NONE, Reranker.NONE,
                RagQuery.RerankMode.MMR, new MmrReranker(0.7, 3)), InjectionGuard.OFF, new DefaultPromptBuilder(3000),
                generator, null), new RagLimits(4, 20, 1500, 256), new QueryDefaults(RagQuery.Retrieval.DENSE,
                RagQuery.Fusion.RELATIVE_SCORE, 1, 1, RagQuery.RerankMode.MMR, 0.2f), QueryObserver.NONE);
    }

    @Test
    void optionsReachTheirStages() {
        RagQuery query = new RagQuery("What is a hash table?", 3, null, RagQuery.Retrieval.HYBRID, RagQuery.Fusion.DBSF,
                2f, null, 0.1f, RagQuery.RerankMode.NONE, 16, 0f, 42L, "support-bot");
        RagAnswer answer = pipeline().query(query).toCompletableFuture().join();
        RagQuery seen = retrieved.get(0);
        assertEquals(RagQuery.Retrieval.HYBRID, seen.retrieval());
        assertEquals(RagQuery.Fusion.DBSF, seen.fusion());
        assertEquals(2f, seen.denseWeight());
        assertEquals(1f, seen.bm25Weight(), "the default weight fills the unset one");
        assertEquals(0.1f, seen.minScore());
        assertEquals(List.of(3), candidates, "rerank none retrieves top_k only");
        assertEquals(new AnswerGenerator.Options(16, 0f, 42L, "support-bot"), generated.get(0));
        assertEquals("length", answer.finishReason());
        assertEquals(new AnswerGenerator.Usage(120, 16), answer.usage());
        assertEquals("gen", answer.generationModel());

        pipeline().query(RagQuery.of("What is a hash table?")).toCompletableFuture().join();
        assertEquals(List.of(3, 12), candidates, "the default rerank (MMR) retrieves 3 candidates per passage");
        assertEquals(new AnswerGenerator.Options(256, 0.2f, null, ""), generated.get(1));
    }

    @Test
    void citationsAreTheMarkersTheModelWrote() {
        RagAnswer answer = pipeline().query(RagQuery.of("What is a hash table?").withTopK(3)).toCompletableFuture().join();
        assertEquals(3, answer.context().size());
        assertEquals(List.of(2, 1), answer.citations().stream().map(RagAnswer.Citation::marker).toList());
        assertEquals(answer.context().get(1).documentId(), answer.citations().get(0).documentId());
        assertFalse(answer.citesNothing());

        modelAnswer = "I do not know [9].";
        RagAnswer uncited = pipeline().query(RagQuery.of("What is a hash table?").withTopK(3)).toCompletableFuture().join();
        assertEquals(List.of(), uncited.citations());
        assertTrue(uncited.citesNothing());
    }

    @Test
    void retrievalOnlyGeneratesNothingAndRefusesGenerationOptions() {
        RetrievalAnswer r = pipeline().retrieve(RagQuery.of("What is a hash table?").withTopK(2)).toCompletableFuture().join();
        assertEquals(2, r.passages().size());
        assertEquals(List.of(), generated);
        assertEquals(0, r.timings().generateMs());
        assertEquals("emb", r.embeddingModel());
        ServiceException e = assertThrows(ServiceException.class, () -> pipeline().retrieve(
                new RagQuery("q", 0, null, null, null, null, null, null, null, 10, null, null, null)));
        assertTrue(e.getMessage().contains("max_tokens"), e.getMessage());
    }

    @Test
    void aRerankModeWithNoRerankerIsRefused() {
        var pipeline = new RagPipeline(RagPipeline.Stages.of(retriever, new DefaultPromptBuilder(3000), generator),
                new RagLimits(4, 20, 1500, 256), new QueryDefaults(RagQuery.Retrieval.DENSE, RagQuery.Fusion.RRF, 1, 1,
                RagQuery.RerankMode.NONE, 0.2f), QueryObserver.NONE);
        ServiceException e = assertThrows(ServiceException.class, () -> pipeline.query(new RagQuery("q", 0, null, null,
                null, null, null, null, RagQuery.RerankMode.MMR, 0, null, null, null)));
        assertTrue(e.getMessage().contains("rerank mmr is not available"), e.getMessage());
    }
}
