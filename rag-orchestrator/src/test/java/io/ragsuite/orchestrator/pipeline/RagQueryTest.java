package io.ragsuite.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import org.junit.jupiter.api.Test;

/** Defaults filled in, and every bad option refused with its field named. */
class RagQueryTest {
    private static final RagLimits LIMITS = new RagLimits(4, 20, 1500, 256);
    private static final QueryDefaults DEFAULTS = new QueryDefaults(RagQuery.Retrieval.HYBRID, RagQuery.Fusion.RRF, 1,
            0.5f, RagQuery.RerankMode.MMR, 0.2f);

    private static RagQuery q(Float denseWeight, RagQuery.Retrieval retrieval, RagQuery.Fusion fusion, int maxTokens,
            Float temperature) {
        return new RagQuery("why?", 0, null, retrieval, fusion, denseWeight, null, null, null, maxTokens, temperature,
                null, " adapter ");
    }

    @Test
    void unsetOptionsTakeTheDefaults() {
        RagQuery r = RagQuery.of("why?").resolve(DEFAULTS, LIMITS);
        assertEquals(4, r.topK());
        assertEquals(RagQuery.Retrieval.HYBRID, r.retrieval());
        assertEquals(RagQuery.Fusion.RRF, r.fusion());
        assertEquals(0.5f, r.bm25Weight());
        assertEquals(RagQuery.RerankMode.MMR, r.rerank());
        assertEquals(256, r.maxTokens());
        assertEquals(0.2f, r.temperature());
        assertNull(r.seed());
        assertEquals("", r.model());
        assertEquals("adapter", q(2f, null, RagQuery.Fusion.DBSF, 16, 0f).resolve(DEFAULTS, LIMITS).model());
    }

    @Test
    void badValuesNameTheirField() {
        assertInvalid("temperature", q(null, null, null, 0, 2.5f));
        assertInvalid("temperature", q(null, null, null, 0, -0.1f));
        assertInvalid("max_tokens", q(null, null, null, 257, null));
        assertInvalid("dense_weight", q(-1f, null, null, 0, null));
        assertInvalid("dense_weight", q(Float.NaN, null, null, 0, null));
        assertInvalid("top_k", RagQuery.of("why?").withTopK(21));
        assertInvalid("question", RagQuery.of(" "));
        // Hybrid-only options on another mode would silently do nothing.
        assertInvalid("fusion applies only to retrieval=hybrid", q(null, RagQuery.Retrieval.DENSE, RagQuery.Fusion.RRF, 0, null));
        assertInvalid("dense_weight", q(1f, RagQuery.Retrieval.BM25, null, 0, null));
        assertInvalid("not both be 0", new RagQuery("why?", 0, null, null, null, 0f, 0f, null, null, 0, null, null, null));
        assertInvalid("retrieval must be one of dense, bm25, hybrid, not 'sparse'", () -> RagQuery.parse(
                RagQuery.Retrieval.class, "sparse", "retrieval"));
        assertEquals(RagQuery.Fusion.RELATIVE_SCORE, RagQuery.parse(RagQuery.Fusion.class, "Relative_Score", "fusion"));
    }

    private static void assertInvalid(String message, RagQuery query) {
        assertInvalid(message, () -> query.resolve(DEFAULTS, LIMITS));
    }

    private static void assertInvalid(String message, org.junit.jupiter.api.function.Executable call) {
        ServiceException e = assertThrows(ServiceException.class, call);
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
