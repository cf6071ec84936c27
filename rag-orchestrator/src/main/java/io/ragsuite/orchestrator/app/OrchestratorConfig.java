package io.ragsuite.orchestrator.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code rag.orchestrator.*} settings; each can be set by environment, e.g. {@code RAG_ORCHESTRATOR_COLLECTION}. */
@ConfigMapping(prefix = "rag.orchestrator")
public interface OrchestratorConfig {
    /** Vector search collection holding the chunks; created on first ingest. */
    @WithDefault("documents")
    String collection();

    @WithDefault("4")
    int defaultTopK();

    @WithDefault("20")
    int maxTopK();

    /** Longest question. With the prompt context budget it must fit the generation model's context. */
    @WithDefault("1500")
    int maxQuestionChars();

    /** Tokens the model may generate per answer. */
    @WithDefault("256")
    int maxAnswerTokens();

    /** Characters of passage text put in the prompt (keeps prompt + answer inside the model's context). */
    @WithDefault("3000")
    int promptContextChars();

    @WithDefault("600")
    int chunkChars();

    @WithDefault("80")
    int chunkOverlapChars();

    @WithDefault("100")
    int maxDocuments();

    @WithDefault("1000000")
    int maxDocumentChars();

    /** Chunks per embedding call. */
    @WithDefault("32")
    int embedBatch();

    /** Deadline of each call to the embedding stage. */
    @WithDefault("30s")
    Duration embeddingTimeout();

    /** Deadline of each call to the vector search stage. */
    @WithDefault("30s")
    Duration vectorSearchTimeout();

    /** Deadline of each call to the generation stage (a whole answer). */
    @WithDefault("180s")
    Duration generationTimeout();

    /** Points per upsert call. */
    @WithDefault("256")
    int upsertBatch();
}
