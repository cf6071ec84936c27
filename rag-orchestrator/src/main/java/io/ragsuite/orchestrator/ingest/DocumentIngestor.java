package io.ragsuite.orchestrator.ingest;

import io.ragsuite.orchestrator.retrieve.Embedder;
import io.ragsuite.orchestrator.retrieve.PassageStore;
import io.ragsuite.support.audit.AuditLog;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.Require;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** Chunks, embeds and stores documents, one after another (each document's chunks in batches). */
public final class DocumentIngestor {
    private static final Pattern ID = Pattern.compile("[^\\s#][^#]{0,199}");
    /** The vector search stage's limits on metadata, checked here so no document of a bad request is written. */
    static final int MAX_METADATA_KEY_CHARS = 128;
    static final int MAX_METADATA_CHARS = 4096;

    private final DocumentChunker chunker;
    private final Embedder embedder;
    private final PassageStore store;
    private final IngestLimits limits;

    private final io.ragsuite.orchestrator.guard.PiiRedactor redactor;

    public DocumentIngestor(DocumentChunker chunker, Embedder embedder, PassageStore store, IngestLimits limits) {
        this(chunker, embedder, store, limits, null);
    }

    /** @param redactor redacts personal data from every document before it is chunked and stored; null keeps all */
    public DocumentIngestor(DocumentChunker chunker, Embedder embedder, PassageStore store, IngestLimits limits,
            io.ragsuite.orchestrator.guard.PiiRedactor redactor) {
        this.redactor = redactor;
        this.chunker = chunker;
        this.embedder = embedder;
        this.store = store;
        this.limits = limits;
    }

    public record SourceDocument(String id, String title, String text, Map<String, String> metadata) {
    }

    /** @param piiRedacted pieces of personal data replaced before storing (text and title) */
    public record Ingested(String id, int chunks, int piiRedacted) {
    }

    /**
     * Ingests documents and writes each change, or the refusal, to the audit log.
     *
     * @param by who asked (the adapter and caller), for the audit log
     */
    public CompletionStage<List<Ingested>> ingest(List<SourceDocument> documents, String by) {
        CompletionStage<List<Ingested>> running;
        try {
            running = ingest(documents);
        } catch (RuntimeException e) {
            AuditLog.record("ingest_document", Map.of("id", firstId(documents), "by", by), "refused: " + e.getMessage());
            throw e;
        }
        return running.whenComplete((done, failure) -> {
            if (failure != null) {
                AuditLog.record("ingest_document", Map.of("id", firstId(documents), "by", by),
                        "failed: " + Failures.unwrap(failure).getMessage());
                return;
            }
            for (int i = 0; i < done.size(); i++) {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("id", done.get(i).id());
                fields.put("by", by);
                fields.put("chunks", Integer.toString(done.get(i).chunks()));
                Map<String, String> metadata = documents.get(i).metadata();
                if (metadata != null && metadata.containsKey("content_type")) {
                    fields.put("content_type", metadata.get("content_type"));
                }
                AuditLog.record("ingest_document", fields, "done");
            }
        });
    }

    private static String firstId(List<SourceDocument> documents) {
        return documents == null || documents.isEmpty() || documents.get(0) == null ? "" : String.valueOf(documents.get(0).id());
    }

    /** Checks every document first, so a bad one in a request means nothing of it is written. */
    CompletionStage<List<Ingested>> ingest(List<SourceDocument> documents) {
        Require.size(documents, 1, limits.maxDocuments(), "documents");
        for (int i = 0; i < documents.size(); i++) {
            SourceDocument d = documents.get(i);
            Require.that(d != null, "documents[" + i + "] is null");
            Require.nonBlank(d.id(), "documents[" + i + "].id");
            Require.that(ID.matcher(d.id()).matches(), "documents[" + i + "].id must be 1-200 characters without '#' "
                    + "and not start with whitespace");
            Require.nonBlank(d.text(), "documents[" + i + "].text");
            Require.maxLength(d.text(), limits.maxDocumentChars(), "documents[" + i + "].text");
            Require.maxLength(d.title(), MAX_METADATA_CHARS, "documents[" + i + "].title");
            if (d.metadata() != null) {
                for (Map.Entry<String, String> e : d.metadata().entrySet()) {
                    String where = "documents[" + i + "].metadata['" + e.getKey() + "']";
                    Require.nonBlank(e.getKey(), "documents[" + i + "].metadata key");
                    Require.maxLength(e.getKey(), MAX_METADATA_KEY_CHARS, where + " key");
                    Require.that(e.getValue() != null, where + " must not be null");
                    Require.maxLength(e.getValue(), MAX_METADATA_CHARS, where);
                    Require.that(!ChunkKeys.RESERVED.contains(e.getKey()), where + ": the key is reserved " + ChunkKeys.RESERVED);
                }
            }
        }
        CompletionStage<List<Ingested>> chain = CompletableFuture.completedFuture(new ArrayList<>());
        for (SourceDocument d : documents) {
            chain = chain.thenCompose(done -> ingestOne(d).thenApply(result -> {
                done.add(result);
                return done;
            }));
        }
        return chain;
    }

    private CompletionStage<Ingested> ingestOne(SourceDocument original) {
        SourceDocument d = original;
        int redacted = 0;
        if (redactor != null) {
            var text = redactor.redact(original.text());
            var title = redactor.redact(original.title() == null ? "" : original.title());
            redacted = text.findings().size() + title.findings().size();
            d = new SourceDocument(original.id(), title.text(), text.text(), original.metadata());
        }
        SourceDocument doc = d;
        int piiRedacted = redacted;
        List<String> chunks = chunker.chunk(doc.text());
        return embedder.embedInBatches(chunks, limits.embedBatch())
                .thenCompose(e -> store.ensureCollection(e.vectors().get(0).length).thenApply(ignored -> e.vectors()))
                .thenCompose(vectors -> store.replaceDocument(doc.id(), doc.title() == null ? "" : doc.title(),
                        doc.metadata() == null ? Map.of() : doc.metadata(), chunks, vectors))
                .thenApply(ignored -> new Ingested(doc.id(), chunks.size(), piiRedacted));
    }

    /** Most documents one list page may hold. */
    public static final int MAX_LIST_LIMIT = 1000;

    /** A page of documents in id order; {@code limit} 0 selects 100. */
    public CompletionStage<PassageStore.DocumentPage> list(int limit, String pageToken) {
        int n = limit == 0 ? 100 : Require.inRange(limit, 1, MAX_LIST_LIMIT, "limit");
        return store.listDocuments(n, pageToken);
    }

    /** The document with its chunks, or NOT_FOUND. */
    public CompletionStage<PassageStore.StoredDocument> get(String id) {
        checkId(id);
        return store.getDocument(id).thenApply(d -> d.orElseThrow(() -> notFound(id)));
    }

    /**
     * Deletes a document and all its chunks; returns how many chunks went; NOT_FOUND when there was none. Done or
     * refused, it is written to the audit log.
     *
     * @param by who asked, for the audit log
     */
    public CompletionStage<Long> delete(String id, String by) {
        CompletionStage<Long> running;
        try {
            checkId(id);
            running = store.deleteDocument(id).thenApply(n -> {
                if (n == 0) {
                    throw notFound(id);
                }
                return n;
            });
        } catch (RuntimeException e) {
            AuditLog.record("delete_document", Map.of("id", String.valueOf(id), "by", by), "refused: " + e.getMessage());
            throw e;
        }
        return running.whenComplete((n, failure) -> AuditLog.record("delete_document", failure == null
                ? Map.of("id", id, "by", by, "chunks", Long.toString(n)) : Map.of("id", id, "by", by),
                failure == null ? "done" : "refused: " + Failures.unwrap(failure).getMessage()));
    }

    private static void checkId(String id) {
        Require.nonBlank(id, "document id");
        Require.that(ID.matcher(id).matches(), "document id must be 1-200 characters without '#'");
    }

    private static io.ragsuite.support.error.ServiceException notFound(String id) {
        return io.ragsuite.support.error.ServiceException.notFound("no document '" + id + "'");
    }
}
