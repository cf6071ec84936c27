package io.ragsuite.orchestrator.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ServiceException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;

class DocumentFormatsTest {
    /** A real two-page PDF, written with PDFBox (the parser reads it back with its text stripper). */
    static byte[] pdf(String title, String... pages) throws Exception {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            doc.getDocumentInformation().setTitle(title);
            for (String text : pages) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                    s.beginText();
                    s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    s.newLineAtOffset(72, 700);
                    s.showText(text);
                    s.endText();
                }
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    @Test
    void pdfTextAndTitle() throws Exception {
        var e = DocumentFormats.extract("application/pdf", pdf("Hashing notes", "A hash table maps keys to buckets.",
                "Collisions are resolved by chaining."));
        assertEquals("Hashing notes", e.title());
        assertTrue(e.text().contains("A hash table maps keys to buckets.") && e.text().contains("resolved by chaining"), e.text());
    }

    @Test
    void htmlKeepsParagraphsAndDropsScripts() {
        String html = "<html><head><title>Deadlock</title><style>p{}</style></head><body><nav>Home | About</nav>"
                + "<h1>Deadlock</h1><p>Two processes each wait for the other.</p><script>alert(1)</script>"
                + "<ul><li>mutual exclusion</li><li>hold and wait</li></ul></body></html>";
        var e = DocumentFormats.extract("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        assertEquals("Deadlock", e.title());
        assertEquals("Deadlock\n\nTwo processes each wait for the other.\n\nmutual exclusion\n\nhold and wait", e.text());
        assertFalse(e.text().contains("alert") || e.text().contains("Home"));
    }

    @Test
    void markdownBecomesText() {
        var e = DocumentFormats.extract("text/markdown", "# Raft\n\nRaft is a **consensus** algorithm.\n\n- leader\n- log\n"
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(e.text().contains("Raft is a consensus algorithm."), e.text());
        assertFalse(e.text().contains("**") || e.text().contains("# "), e.text());
    }

    @Test
    void badInputIsRefusedClearly() {
        ServiceException corrupt = assertThrows(ServiceException.class,
                () -> DocumentFormats.extract("application/pdf", "%PDF-1.7 not really".getBytes(StandardCharsets.UTF_8)));
        assertTrue(corrupt.getMessage().contains("PDF could not be read"), corrupt.getMessage());
        ServiceException type = assertThrows(ServiceException.class,
                () -> DocumentFormats.extract("application/msword", new byte[] {1, 2}));
        assertTrue(type.getMessage().contains("unsupported content type"), type.getMessage());
        assertThrows(ServiceException.class, () -> DocumentFormats.extract("text/plain", new byte[] {(byte) 0xff, (byte) 0xfe}));
    }
}
