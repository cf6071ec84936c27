package io.ragsuite.orchestrator.rest;

import io.ragsuite.orchestrator.ingest.DocumentIngestor;
import io.ragsuite.support.error.Require;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** REST ingestion: {@code POST /v1/documents} with one document; re-posting an id replaces the document. */
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
        return Uni.createFrom().completionStage(() -> ingestor.ingest(List.of(doc)))
                .map(done -> Response.status(Response.Status.CREATED).entity(done.get(0)).build());
    }
}
