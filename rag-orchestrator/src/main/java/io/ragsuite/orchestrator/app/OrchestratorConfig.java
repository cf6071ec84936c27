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

    /** Documents per call of the batch ingestion (REST /v1/documents/batch), each with its own result. */
    @WithDefault("10000")
    int maxBatchDocuments();

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

    /**
     * How long opening a connection to a stage may take (TCP connect) before the call fails as UNAVAILABLE and is
     * retried. Netty's own default is 30 s: a connection routed to the address of a pod that just went away (a
     * Service's rules not yet updated, a crashed node) gets no answer at all, and the query would wait that long.
     */
    @WithDefault("3s")
    Duration connectTimeout();

    /**
     * Whether calls to the embedding and generation stages wait, up to their deadline, for the stage to become
     * reachable (gRPC wait-for-ready) instead of failing at once: for stages scaled to zero (deploy/overlays/keda),
     * where the waiting call is what wakes the stage. Off by default, so that a stage that is down fails fast.
     */
    @WithDefault("false")
    boolean waitForReady();

    /** Points per upsert call. */
    @WithDefault("256")
    int upsertBatch();

    /** {@code rag.orchestrator.pii.*}: redaction of personal data in ingested documents and in answers. */
    Pii pii();

    interface Pii {
        /** {@code mask} ([EMAIL]), {@code hash} ([EMAIL:keyed-hash]), {@code remove}, or {@code off}. */
        @WithDefault("mask")
        String mode();

        /** What to find: any of email, phone, iban, card, ip, es_dni, es_nie. */
        @WithDefault("email,phone,iban,card,ip,es_dni,es_nie")
        java.util.List<String> types();

        /** Redact documents before they are chunked, embedded and stored. */
        @WithDefault("true")
        boolean onIngest();

        /** Redact answers (streamed ones too) before they leave the service. */
        @WithDefault("true")
        boolean onAnswer();

        /** Numbering plan of phone numbers written without "+" (ISO country code). */
        @WithDefault("ES")
        String phoneRegion();

        /** HMAC key of the hash mode (at least 16 bytes; from a Secret); unset: a random key per process. */
        java.util.Optional<String> hashKey();
    }

    /**
     * Sampling temperature of answers when a query does not set one (0 is greedy); low, because a RAG answer should
     * stay with its passages.
     */
    @WithDefault("0.2")
    float temperature();

    /**
     * {@code rag.orchestrator.retrieval.*}: how a query retrieves when it does not say. The defaults are the
     * setting measured best on the development questions (docs/retrieval-quality.md, {@code ./rag eval}).
     */
    Retrieval retrieval();

    interface Retrieval {
        /** {@code dense}, {@code bm25} or {@code hybrid}. */
        @WithDefault("hybrid")
        String mode();

        /** Hybrid only: {@code rrf}, {@code relative_score} or {@code dbsf}. */
        @WithDefault("dbsf")
        String fusion();

        /** Hybrid only: weight of the dense ranking. */
        @WithDefault("0.7")
        float denseWeight();

        /** Hybrid only: weight of the BM25 ranking. */
        @WithDefault("0.3")
        float bm25Weight();
    }

    /** {@code rag.orchestrator.rerank.*}: the optional rerank stage between retrieval and the prompt. */
    Rerank rerank();

    interface Rerank {
        /** {@code mmr} (maximal marginal relevance: fewer near-copies in the prompt) or {@code none}. */
        @WithDefault("mmr")
        String mode();

        /** MMR's weight of relevance against novelty, 0 to 1 (1 keeps the retrieval order). */
        @WithDefault("0.7")
        double lambda();

        /** Candidates retrieved per passage kept. */
        @WithDefault("3")
        int candidateFactor();
    }

    /** {@code rag.orchestrator.injection.*}: the prompt-injection check of questions and retrieved passages. */
    Injection injection();

    interface Injection {
        /** {@code block} (400 / INVALID_ARGUMENT), {@code flag} (noted in the answer) or {@code off}. */
        @WithDefault("block")
        String questionPolicy();

        /** {@code strip} (left out of the prompt, noted), {@code block}, {@code flag} or {@code off}. */
        @WithDefault("strip")
        String passagePolicy();

        /** The injection classifier's probability (0-1) from which a text counts as an attack. */
        @WithDefault("0.9")
        double threshold();

        /** The classifier probability under which a phrase or role-marker rule that fired is overruled; 0: never. */
        @WithDefault("0.1")
        double ruleVeto();

        /** A file of seed attacks, one per line ('#' comments); unset: the built-in set. */
        java.util.Optional<java.nio.file.Path> seedsFile();

        /**
         * More labelled exemplars for the classifier, JSON lines {@code {"text": ..., "label": 1|0, "kind": ...}}
         * (kind {@code indirect}: an attack hidden in a passage); added to the built-in ones.
         */
        java.util.Optional<java.nio.file.Path> exemplarsFile();
    }

    /** {@code rag.orchestrator.auth.*}: who may call the public endpoints (health and metrics stay open). */
    Auth auth();

    interface Auth {
        /**
         * {@code off} (the laptop default) or {@code api-key}: every REST and gRPC call needs
         * {@code Authorization: Bearer KEY} (or {@code x-api-key: KEY}) whose SHA-256 is in {@link #keysFile()}.
         */
        @WithDefault("off")
        String mode();

        /** Lines {@code NAME:SHA256HEX} (a mounted Secret); required with {@code api-key}. */
        java.util.Optional<java.nio.file.Path> keysFile();

        /** Requests per minute per key (per client address with auth off); over it: 429 with Retry-After. */
        @WithDefault("600")
        int requestsPerMinute();

        /** Requests a caller may make at once before the per-minute rate applies. */
        @WithDefault("60")
        int burst();
    }
}
