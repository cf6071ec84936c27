package io.ragsuite.orchestrator.rest;

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
import java.util.List;
import java.util.Map;

/**
 * REST documents: {@code POST /v1/documents} with one document (re-posting an id replaces it),
 * {@code GET /v1/documents} (pages in id order), {@code GET} and {@code DELETE /v1/documents/{id}}. The ingestor
 * writes changes to the audit log.
 */
@Path("/v1/documents")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DocumentsResource {
    private final DocumentIngestor ingestor;

    public DocumentsResource(DocumentIngestor ingestor) {
        this.ingestor = ingestor;
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
