package io.ragsuite.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.support.error.Require;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * REST documents: {@code POST /v1/documents} with one document (re-posting an id replaces it), many per call with
 * {@code POST /v1/documents/batch},
 * {@code GET /v1/documents} (pages in id order), {@code GET} and {@code DELETE /v1/documents/{id}}. The ingestor
 * writes changes to the audit log.
 */
@Path("/v1/documents")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DocumentsResource {
    private final DocumentIngestor ingestor;
    private final Json json;

    public DocumentsResource(DocumentIngestor ingestor, ObjectMapper mapper) {
        this.ingestor = ingestor;
        this.json = new Json(mapper);
    }

    /** The service's mapper (snake_case) with parse errors recorded rather than thrown. */
    private record Json(ObjectMapper mapper) {
        JsonNode readTree(String text, int index, Map<Integer, String> unreadable) {
            try {
                return mapper.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                unreadable.put(index, "not valid JSON: " + e.getOriginalMessage());
                return null;
            }
        }
    }

    public record DocumentBody(String id, String title, String text, Map<String, String> metadata) {
    }

    /** Blocking: chunking a large document is CPU work that must not run on the event loop. */
    @POST
    @Blocking
    public Uni<Response> ingest(DocumentBody body) {
        Require.that(body != null, "request body is required: {\"id\": ..., \"text\": ...}");
        DocumentIngestor.SourceDocument doc = new DocumentIngestor.SourceDocument(body.id(), body.title(), body.text(),
                body.metadata());
        return Uni.createFrom().completionStage(() -> ingestor.ingest(List.of(doc), "rest"))
                .map(done -> Response.status(Response.Status.CREATED).entity(done.get(0)).build());
    }

    /** One document's outcome in a batch: {@code chunks} when ingested, {@code error} and {@code status} when not. */
    public record BatchResult(int index, String id, Integer chunks, Integer piiRedacted, String error, Integer status) {
    }

    public record BatchReply(List<BatchResult> documents, int ingested, int failed, double totalMs) {
    }

    /**
     * Many documents per call, each with its own result: {@code POST /v1/documents/batch} with a JSON array of
     * documents, or NDJSON ({@code application/x-ndjson}: one document per line, as bulk exports are written). A
     * document that is bad (or a line that is not a document) is refused on its own and the others are ingested;
     * the reply lists every document's outcome in order. Limits: rag.orchestrator.max-batch-documents, and the
     * HTTP body size limit.
     */
    @POST
    @Path("/batch")
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Blocking
    public Uni<BatchReply> ingestBatch(@HeaderParam("Content-Type") String contentType, String body) {
        long start = System.nanoTime();
        Require.that(body != null && !body.isBlank(), "request body is required: a JSON array of documents, or NDJSON");
        List<DocumentIngestor.SourceDocument> docs = new ArrayList<>();
        Map<Integer, String> unreadable = new LinkedHashMap<>();
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(NDJSON)) {
            List<String> lines = body.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                read(json.readTree(lines.get(i), docs.size(), unreadable), docs, unreadable, "line " + (i + 1));
            }
        } else {
            JsonNode array = json.readTree(body, -1, unreadable);
            Require.that(array != null && array.isArray(), "the body must be a JSON array of documents (or send NDJSON "
                    + "as " + NDJSON + ")" + (unreadable.isEmpty() ? "" : ": " + unreadable.get(-1)));
            array.forEach(element -> read(element, docs, unreadable, "element " + docs.size()));
        }
        return Uni.createFrom().completionStage(() -> ingestor.ingestEach(docs, "rest")).map(outcomes -> {
            List<BatchResult> results = new ArrayList<>();
            int ingested = 0;
            for (DocumentIngestor.Outcome o : outcomes) {
                String why = unreadable.get(o.index());
                if (why != null) {
                    results.add(new BatchResult(o.index(), "", null, null, why, 400));
                } else if (o.error() == null) {
                    ingested++;
                    results.add(new BatchResult(o.index(), o.id(), o.ingested().chunks(), o.ingested().piiRedacted(), null,
                            null));
                } else {
                    results.add(new BatchResult(o.index(), o.id(), null, null, o.error().getMessage(),
                            o.error().kind().httpStatus()));
                }
            }
            return new BatchReply(results, ingested, results.size() - ingested, (System.nanoTime() - start) / 1e6);
        });
    }

    static final String NDJSON = "application/x-ndjson";

    /** Adds the document an element holds, or a placeholder (refused by the ingestor) and why it is unreadable. */
    private void read(JsonNode element, List<DocumentIngestor.SourceDocument> docs, Map<Integer, String> unreadable,
            String where) {
        int index = docs.size();
        DocumentBody body = null;
        if (element != null && !unreadable.containsKey(index)) {
            try {
                body = json.mapper.treeToValue(element, DocumentBody.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                unreadable.put(index, where + " is not a document: " + e.getOriginalMessage());
            }
        }
        if (body == null && !unreadable.containsKey(index)) {
            unreadable.put(index, where + " is not a document");
        }
        docs.add(body == null ? null : new DocumentIngestor.SourceDocument(body.id(), body.title(), body.text(),
                body.metadata()));
    }

    /**
     * Uploads a document as it is: {@code PUT /v1/documents/{id}} with the file as the body and its media type
     * (text/plain, text/markdown, text/html, application/pdf). The text is extracted here, then ingested as a
     * JSON document would be; {@code ?title=} overrides the title found in the file.
     */
    @PUT
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @Blocking
    public Uni<Response> upload(@PathParam("id") String id, @HeaderParam("Content-Type") String contentType,
            @QueryParam("title") String title, byte[] content) {
        Require.that(content != null && content.length > 0, "the request body must hold the document");
        var extracted = io.ragsuite.orchestrator.ingest.DocumentFormats.extract(contentType, content);
        Require.that(!extracted.text().isBlank(), "no text found in the document (a scanned PDF needs OCR first)");
        String type = contentType.split(";")[0].strip();
        DocumentIngestor.SourceDocument doc = new DocumentIngestor.SourceDocument(id,
                title != null && !title.isBlank() ? title : extracted.title(), extracted.text(), Map.of("content_type", type));
        return Uni.createFrom().completionStage(() -> ingestor.ingest(List.of(doc), "rest"))
                .map(done -> Response.status(Response.Status.CREATED).entity(done.get(0)).build());
    }

    public record DocumentSummary(String id, String title, Map<String, String> metadata) {
    }

    public record DocumentList(List<DocumentSummary> documents, String nextPageToken) {
    }

    public record DocumentDetail(String id, String title, Map<String, String> metadata, int chunkCount, List<String> chunks) {
    }

    @GET
    public Uni<DocumentList> list(@QueryParam("limit") @DefaultValue("0") int limit, @QueryParam("page_token") String pageToken) {
        return Uni.createFrom().completionStage(() -> ingestor.list(limit, pageToken))
                .map(page -> new DocumentList(page.documents().stream()
                        .map(d -> new DocumentSummary(d.id(), d.title(), d.metadata())).toList(), page.nextPageToken()));
    }

    @GET
    @Path("/{id}")
    public Uni<DocumentDetail> get(@PathParam("id") String id) {
        return Uni.createFrom().completionStage(() -> ingestor.get(id))
                .map(d -> new DocumentDetail(d.id(), d.title(), d.metadata(), d.chunks().size(), d.chunks()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        return Uni.createFrom().completionStage(() -> ingestor.delete(id, "rest"))
                .map(n -> Response.noContent().build());
    }
}
