package io.ragsuite.orchestrator.ingest;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.text.TextContentRenderer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * Turns an uploaded document into plain text for the chunker: text, Markdown (commonmark-java's text renderer),
 * HTML (jsoup; scripts, styles and navigation dropped, block elements kept as paragraphs) and PDF (Apache PDFBox's
 * text stripper). The title comes from the document where it has one (HTML {@code <title>}, PDF metadata).
 */
public final class DocumentFormats {
    public static final Set<String> TYPES = Set.of("text/plain", "text/markdown", "text/html", "application/pdf");
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "li", "ul", "ol", "table", "tr",
            "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "br", "hr", "dd", "dt");

    private DocumentFormats() {
    }

    /** The text of a document and its title (empty when it has none). */
    public record Extracted(String text, String title) {
    }

    /** @param contentType a media type, parameters allowed ("text/html; charset=utf-8") */
    public static Extracted extract(String contentType, byte[] content) {
        String type = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "text/plain" -> new Extracted(utf8(content), "");
            case "text/markdown", "text/x-markdown" -> new Extracted(TextContentRenderer.builder().build()
                    .render(Parser.builder().build().parse(utf8(content))), "");
            case "text/html", "application/xhtml+xml" -> html(utf8(content));
            case "application/pdf" -> pdf(content);
            default -> throw new ServiceException(ErrorKind.INVALID_ARGUMENT, "unsupported content type '" + contentType
                    + "'; send one of " + TYPES);
        };
    }

    private static String utf8(byte[] content) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw ServiceException.invalid("the document is not valid UTF-8 text");
        }
    }

    private static Extracted html(String html) {
        var doc = Jsoup.parse(html);
        doc.select("script, style, noscript, nav, header, footer, template").remove();
        StringBuilder out = new StringBuilder();
        if (doc.body() != null) {
            doc.body().traverse(new NodeVisitor() {
                @Override
                public void head(Node node, int depth) {
                    if (node instanceof TextNode t) {
                        out.append(t.text());
                    } else if (node instanceof Element e && BLOCKS.contains(e.normalName()) && !out.isEmpty()) {
                        out.append("\n\n");
                    }
                }

                @Override
                public void tail(Node node, int depth) {
                    if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                        out.append("\n\n");
                    }
                }
            });
        }
        String text = out.toString().replaceAll("[ \\t\\x0B\\f\\r]+", " ").replaceAll(" *\\n *", "\n")
                .replaceAll("\\n{3,}", "\n\n").strip();
        return new Extracted(text, doc.title());
    }

    private static Extracted pdf(byte[] content) {
        try (PDDocument pdf = Loader.loadPDF(content)) {
            if (pdf.isEncrypted()) {
                throw ServiceException.invalid("the PDF is encrypted; upload an unprotected copy");
            }
            String text = new PDFTextStripper().getText(pdf).strip();
            String title = pdf.getDocumentInformation() == null || pdf.getDocumentInformation().getTitle() == null ? ""
                    : pdf.getDocumentInformation().getTitle();
            return new Extracted(text, title);
        } catch (IOException e) {
            throw ServiceException.invalid("the PDF could not be read: " + e.getMessage());
        }
    }
}
