package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ragsuite.api.v1.DeleteDocumentRequest;
import io.ragsuite.api.v1.Document;
import io.ragsuite.api.v1.GetDocumentRequest;
import io.ragsuite.api.v1.IngestRequest;
import io.ragsuite.api.v1.IngestResponse;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The document lifecycle through the running suite: re-ingesting replaces every chunk in the vector store, HTML
 * and PDF uploads are parsed, `rag ingest DIR` resumes (and reports to a Pushgateway), and documents are listed in
 * pages, read back with their chunks and deleted with all of them, over REST and gRPC.
 */
@ExtendWith(SharedSuite.class)
class DocumentsEndToEndTest {

    @Test
    void reingestingADocumentReplacesAllItsChunks() throws Exception {
        String longText = SharedSuite.sample("cache"); // several chunks of 600 characters
        int longChunks = ingestOverGrpc("replace-me", longText);
        assertTrue(longChunks >= 3, "expected several chunks for a " + longText.length() + "-character text, got "
                + longChunks);
        List<String> allIds = new ArrayList<>();
        for (int i = 0; i < longChunks; i++) {
            allIds.add("replace-me#" + i);
        }
        assertEquals(allIds, storedPointIds(allIds), "every chunk of the first version is stored");

        String shortText = "Replacement text: this document was ingested again with a single short chunk.";
        assertEquals(1, ingestOverGrpc("replace-me", shortText));
        assertEquals(List.of("replace-me#0"), storedPointIds(allIds), "only the one chunk of the second version remains");
        JsonNode points = getPoints(List.of("replace-me#0"));
        assertTrue(points.path("points").get(0).path("text").asText().contains("Replacement text"), points.toString());
    }

    /** HTML and PDF files uploaded as they are: their text is extracted, chunked and stored, with their type. */
    @Test
    void htmlAndPdfUploadsAreParsedAndStored() throws Exception {
        String html = "<html><head><title>Quuxsort</title><script>x()</script></head><body><h1>Quuxsort</h1>"
                + "<p>Quuxsort is an imaginary sorting algorithm that sorts by folding the list in half.</p></body></html>";
        HttpResponse<String> up = SharedSuite.send("rag-orchestrator", "/v1/documents/quuxsort", b -> b
                .header("content-type", "text/html").PUT(HttpRequest.BodyPublishers.ofString(html)));
        assertEquals(201, up.statusCode(), up.body());

        byte[] pdf;
        try (var doc = new PDDocument(); var out = new ByteArrayOutputStream()) {
            doc.getDocumentInformation().setTitle("Frobnication manual");
            var page = new PDPage();
            doc.addPage(page);
            try (var s = new PDPageContentStream(doc, page)) {
                s.beginText();
                s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                s.newLineAtOffset(72, 700);
                s.showText("Frobnication is the act of tweaking a control without knowing what it does.");
                s.endText();
            }
            doc.save(out);
            pdf = out.toByteArray();
        }
        HttpResponse<String> upPdf = SharedSuite.send("rag-orchestrator", "/v1/documents/frobnication", b -> b
                .header("content-type", "application/pdf").PUT(HttpRequest.BodyPublishers.ofByteArray(pdf)));
        assertEquals(201, upPdf.statusCode(), upPdf.body());

        JsonNode htmlDoc = getJson("/v1/documents/quuxsort");
        assertEquals("Quuxsort", htmlDoc.path("title").asText(), htmlDoc.toString());
        assertEquals("text/html", htmlDoc.path("metadata").path("content_type").asText(), htmlDoc.toString());
        assertTrue(htmlDoc.path("chunks").get(0).asText().contains("folding the list in half")
                && !htmlDoc.toString().contains("x()"), htmlDoc.toString());
        JsonNode pdfDoc = getJson("/v1/documents/frobnication");
        assertEquals("Frobnication manual", pdfDoc.path("title").asText(), pdfDoc.toString());
        assertTrue(pdfDoc.path("chunks").get(0).asText().contains("tweaking a control"), pdfDoc.toString());
    }

    /** `./rag ingest DIR` uploads a folder, and a second run skips what is unchanged (the resume path). */
    @Test
    void folderIngestionIsResumable() throws Exception {
        LaunchedSuite suite = SharedSuite.suite();
        Path dir = Files.createDirectories(suite.workDir.resolve("to-ingest/sub"));
        Files.writeString(dir.getParent().resolve("alpha.txt"), "Alpha is the first letter of the Greek alphabet.");
        Files.writeString(dir.getParent().resolve("beta.md"), "# Beta\n\nBeta is the **second** letter.");
        Files.writeString(dir.resolve("gamma.html"), "<html><head><title>Gamma</title></head><body><p>Gamma is third.</p></body></html>");
        Files.writeString(dir.getParent().resolve("notes.docx"), "not a supported file; ignored");
        String folder = dir.getParent().toString();

        // The first run reports its progress to a Pushgateway, as the Kubernetes Job does: a stand-in records the pushes.
        List<String> pushes = Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer gateway = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/metrics/job/", exchange -> {
            try (exchange) {
                pushes.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n"
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        gateway.start();
        LaunchedSuite.LauncherRun first;
        try {
            suite.env.put("RAG_INGEST_PUSHGATEWAY", "http://127.0.0.1:" + gateway.getAddress().getPort());
            first = suite.launcher(Duration.ofSeconds(180), "ingest", folder);
        } finally {
            suite.env.remove("RAG_INGEST_PUSHGATEWAY");
            gateway.stop(0);
        }
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("ingested 3, skipped 0 (unchanged), failed 0 of 3"), first.output());
        assertTrue(pushes.size() >= 2, "a push during the run and one at its end: " + pushes);
        String last = pushes.get(pushes.size() - 1);
        assertTrue(last.startsWith("PUT /metrics/job/rag-ingest/instance/to-ingest"), last);
        for (String sample : List.of("rag_ingest_files{outcome=\"stored\"} 3", "rag_ingest_files{outcome=\"failed\"} 0",
                "rag_ingest_files_found 3", "rag_ingest_finished 1")) {
            assertTrue(last.contains(sample), "last push lacks '" + sample + "': " + last);
        }
        LaunchedSuite.LauncherRun again = suite.launcher(Duration.ofSeconds(180), "ingest", folder);
        assertTrue(again.output().contains("ingested 0, skipped 3 (unchanged), failed 0 of 3"), again.output());
        Files.writeString(dir.getParent().resolve("beta.md"), "# Beta\n\nBeta is the second letter; its capital is B.");
        LaunchedSuite.LauncherRun changed = suite.launcher(Duration.ofSeconds(180), "ingest", folder);
        assertTrue(changed.output().contains("ingested 1, skipped 2 (unchanged), failed 0 of 3"), changed.output());

        assertEquals("Gamma", getJson("/v1/documents/sub__gamma.html").path("title").asText());
        JsonNode beta = getJson("/v1/documents/beta.md");
        assertTrue(beta.path("chunks").get(0).asText().contains("capital is B"), beta.toString());
    }

    /** Documents listed in pages, read back with their chunks, deleted with all chunks, over REST and gRPC. */
    @Test
    void documentsAreListedReadAndDeleted() throws Exception {
        List<String> own = List.of("lifecycle-a", "lifecycle-b", "lifecycle-c");
        for (String id : own) {
            SharedSuite.postJson("/v1/documents", Map.of("id", id, "text", "Lifecycle document " + id + ".",
                    "metadata", Map.of("source", "lifecycle-e2e")), 201);
        }
        List<String> ids = new ArrayList<>();
        String token = "";
        do {
            JsonNode body = getJson("/v1/documents?limit=2" + (token.isEmpty() ? ""
                    : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
            body.path("documents").forEach(d -> ids.add(d.path("id").asText()));
            token = body.path("next_page_token").asText("");
        } while (!token.isEmpty());
        assertTrue(ids.containsAll(own), ids.toString());
        assertEquals(ids.stream().sorted().toList(), ids, "id order");

        JsonNode doc = getJson("/v1/documents/lifecycle-a");
        assertEquals("lifecycle-e2e", doc.path("metadata").path("source").asText(), doc.toString());
        assertEquals(doc.path("chunk_count").asInt(), doc.path("chunks").size());
        assertTrue(doc.path("chunk_count").asInt() > 0, doc.toString());

        var grpc = SharedSuite.grpc(Duration.ofSeconds(30));
        assertEquals(doc.path("chunk_count").asInt(), grpc.getDocument(GetDocumentRequest.newBuilder()
                .setId("lifecycle-a").build()).getChunkCount());
        HttpResponse<String> deleted = SharedSuite.send("rag-orchestrator", "/v1/documents/lifecycle-b", b -> b.DELETE());
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertTrue(storedPointIds(List.of("lifecycle-b#0")).isEmpty(), "its chunks are gone from the index");
        HttpResponse<String> again = SharedSuite.send("rag-orchestrator", "/v1/documents/lifecycle-b", b -> b.DELETE());
        assertEquals(404, again.statusCode(), again.body());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> grpc.getDocument(
                GetDocumentRequest.newBuilder().setId("lifecycle-b").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals(1, grpc.deleteDocument(DeleteDocumentRequest.newBuilder().setId("lifecycle-c").build())
                .getChunksDeleted());
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = SharedSuite.get(path);
        assertEquals(200, r.statusCode(), "GET " + path + ": " + r.body());
        return SharedSuite.JSON.readTree(r.body());
    }

    private static int ingestOverGrpc(String id, String text) {
        IngestResponse reply = SharedSuite.grpc(Duration.ofSeconds(60)).ingest(IngestRequest.newBuilder()
                .addDocuments(Document.newBuilder().setId(id).setTitle(id).setText(text)).build());
        assertEquals(1, reply.getDocumentsCount(), reply.toString());
        return reply.getDocuments(0).getChunks();
    }

    /** Asks the vector search service directly which of the given point ids exist in the orchestrator's collection. */
    static List<String> storedPointIds(List<String> ids) throws Exception {
        List<String> found = new ArrayList<>();
        getPoints(ids).path("points").forEach(p -> found.add(p.path("id").asText()));
        found.sort(Comparator.comparingInt(id -> Integer.parseInt(id.substring(id.indexOf('#') + 1))));
        return found;
    }

    static JsonNode getPoints(List<String> ids) throws Exception {
        return SharedSuite.postJsonTo("vector-search-service", "/v1/collections/documents/points/get",
                Map.of("ids", ids), 200);
    }
}
