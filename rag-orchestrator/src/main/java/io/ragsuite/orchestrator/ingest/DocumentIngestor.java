package io.ragsuite.orchestrator.ingest;

import io.ragsuite.orchestrator.retrieve.Embedder;
import io.ragsuite.orchestrator.retrieve.PassageStore;
import io.ragsuite.support.audit.AuditLog;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Chunks, embeds and stores documents: the chunks of a request's documents go to the embedding stage together, in
 * batches, then each document replaces its former chunks in the store.
 */
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
                audited(done.get(i), documents.get(i), by);
            }
        });
    }

    private static String firstId(List<SourceDocument> documents) {
        return documents == null || documents.isEmpty() || documents.get(0) == null ? "" : String.valueOf(documents.get(0).id());
    }

    /** Checks every document first, so a bad one in a request means nothing of it is written. */
    CompletionStage<List<Ingested>> ingest(List<SourceDocument> documents) {
        Require.size(documents, 1, limits.maxDocuments(), "documents");
        List<Prepared> prepared = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            prepared.add(prepare(documents.get(i), "documents[" + i + "]"));
        }
        return store(prepared);
    }

    /**
     * The outcome of one document of a batch: ingested, or refused with the error it would have got on its own.
     *
     * @param index its position in the batch
     */
    public record Outcome(int index, String id, Ingested ingested, ServiceException error) {
    }

    /**
     * Ingests a batch in which each document stands alone: a bad one is refused with its own error and the others
     * are still written (bulk loads should not fail whole for one bad file). The chunks of several documents share
     * embedding calls, so many small documents cost few calls. Each outcome is written to the audit log.
     *
     * @param by who asked, for the audit log
     */
    public CompletionStage<List<Outcome>> ingestEach(List<SourceDocument> documents, String by) {
        Require.size(documents, 1, limits.maxBatchDocuments(), "documents");
        Outcome[] outcomes = new Outcome[documents.size()];
        List<Prepared> valid = new ArrayList<>();
        List<Integer> validIndex = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            SourceDocument d = documents.get(i);
            try {
                valid.add(prepare(d, "documents[" + i + "]"));
                validIndex.add(i);
            } catch (ServiceException e) {
                outcomes[i] = new Outcome(i, d == null ? "" : String.valueOf(d.id()), null, e);
                AuditLog.record("ingest_document", Map.of("id", outcomes[i].id(), "by", by), "refused: " + e.getMessage());
            }
        }
        // Groups of documents bound the memory a batch holds (chunks and vectors) while filling embedding calls.
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < valid.size(); from += limits.maxDocuments()) {
            int start = from;
            List<Prepared> group = valid.subList(from, Math.min(valid.size(), from + limits.maxDocuments()));
            chain = chain.thenCompose(ignored -> store(group).handle((done, failure) -> {
                for (int j = 0; j < group.size(); j++) {
                    int i = validIndex.get(start + j);
                    String id = group.get(j).doc().id();
                    if (failure == null) {
                        outcomes[i] = new Outcome(i, id, done.get(j), null);
                        audited(done.get(j), documents.get(i), by);
                    } else {
                        ServiceException e = asServiceException(failure);
                        outcomes[i] = new Outcome(i, id, null, e);
                        AuditLog.record("ingest_document", Map.of("id", id, "by", by), "failed: " + e.getMessage());
                    }
                }
                return null;
            }));
        }
        return chain.thenApply(ignored -> List.of(outcomes));
    }

    private static ServiceException asServiceException(Throwable failure) {
        Throwable t = Failures.unwrap(failure);
        return t instanceof ServiceException se ? se
                : new ServiceException(io.ragsuite.support.error.ErrorKind.INTERNAL, "ingestion failed: " + t.getMessage(), t);
    }

    private static void audited(Ingested done, SourceDocument source, String by) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", done.id());
        fields.put("by", by);
        fields.put("chunks", Integer.toString(done.chunks()));
        if (source.metadata() != null && source.metadata().containsKey("content_type")) {
            fields.put("content_type", source.metadata().get("content_type"));
        }
        AuditLog.record("ingest_document", fields, "done");
    }

    /** A checked, redacted and chunked document. */
    private record Prepared(SourceDocument doc, List<String> chunks, int piiRedacted) {
    }

    private Prepared prepare(SourceDocument d, String where) {
        Require.that(d != null, where + " is null");
        Require.nonBlank(d.id(), where + ".id");
        Require.that(ID.matcher(d.id()).matches(), where + ".id must be 1-200 characters without '#' "
                + "and not start with whitespace");
        Require.nonBlank(d.text(), where + ".text");
        Require.maxLength(d.text(), limits.maxDocumentChars(), where + ".text");
        Require.maxLength(d.title(), MAX_METADATA_CHARS, where + ".title");
        if (d.metadata() != null) {
            for (Map.Entry<String, String> e : d.metadata().entrySet()) {
                String field = where + ".metadata['" + e.getKey() + "']";
                Require.nonBlank(e.getKey(), where + ".metadata key");
                Require.maxLength(e.getKey(), MAX_METADATA_KEY_CHARS, field + " key");
                Require.that(e.getValue() != null, field + " must not be null");
                Require.maxLength(e.getValue(), MAX_METADATA_CHARS, field);
                Require.that(!ChunkKeys.RESERVED.contains(e.getKey()), field + ": the key is reserved " + ChunkKeys.RESERVED);
            }
        }
        SourceDocument doc = d;
        int redacted = 0;
        if (redactor != null) {
            var text = redactor.redact(d.text());
            var title = redactor.redact(d.title() == null ? "" : d.title());
            redacted = text.findings().size() + title.findings().size();
            doc = new SourceDocument(d.id(), title.text(), text.text(), d.metadata());
        }
        return new Prepared(doc, chunker.chunk(doc.text()), redacted);
    }

    /**
     * Chunks embedded together before their documents are stored: enough to fill several embedding calls, few
     * enough that the vectors held at once stay small (a document with more chunks is a group of its own).
     */
    private int groupChunks() {
        return limits.embedBatch() * 8;
    }

    /** Stores the documents in groups of about {@link #groupChunks()} chunks, one group after another. */
    private CompletionStage<List<Ingested>> store(List<Prepared> prepared) {
        CompletionStage<List<Ingested>> chain = CompletableFuture.completedFuture(new ArrayList<>());
        List<Prepared> group = new ArrayList<>();
        int chunks = 0;
        for (Prepared p : prepared) {
            if (!group.isEmpty() && chunks + p.chunks().size() > groupChunks()) {
                chain = then(chain, List.copyOf(group));
                group.clear();
                chunks = 0;
            }
            group.add(p);
            chunks += p.chunks().size();
        }
        return group.isEmpty() ? chain : then(chain, List.copyOf(group));
    }

    private CompletionStage<List<Ingested>> then(CompletionStage<List<Ingested>> chain, List<Prepared> group) {
        return chain.thenCompose(done -> storeGroup(group).thenApply(more -> {
            done.addAll(more);
            return done;
        }));
    }

    /** Embeds the chunks of the documents together, then replaces each document in the store in turn. */
    private CompletionStage<List<Ingested>> storeGroup(List<Prepared> prepared) {
        List<String> all = new ArrayList<>();
        prepared.forEach(p -> all.addAll(p.chunks()));
        if (all.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return embedder.embedInBatches(all, limits.embedBatch())
                .thenCompose(e -> store.ensureCollection(e.vectors().get(0).length).thenApply(ignored -> e.vectors()))
                .thenCompose(vectors -> {
                    CompletionStage<List<Ingested>> chain = CompletableFuture.completedFuture(new ArrayList<>());
                    int offset = 0;
                    for (Prepared p : prepared) {
                        List<float[]> own = vectors.subList(offset, offset + p.chunks().size());
                        offset += p.chunks().size();
                        SourceDocument doc = p.doc();
                        chain = chain.thenCompose(done -> store.replaceDocument(doc.id(),
                                doc.title() == null ? "" : doc.title(), doc.metadata() == null ? Map.of() : doc.metadata(),
                                p.chunks(), own).thenApply(ignored -> {
                                    done.add(new Ingested(doc.id(), p.chunks().size(), p.piiRedacted()));
                                    return done;
                                }));
                    }
                    return chain;
                });
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
