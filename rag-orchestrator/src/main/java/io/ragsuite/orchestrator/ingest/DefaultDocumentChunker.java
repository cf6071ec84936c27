package io.ragsuite.orchestrator.ingest;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.List;

/** LangChain4j's recursive splitter with a size and an overlap in characters. */
public final class DefaultDocumentChunker implements DocumentChunker {
    private final DocumentSplitter splitter;

    public DefaultDocumentChunker(int chunkChars, int overlapChars) {
        if (chunkChars < 50 || overlapChars < 0 || overlapChars >= chunkChars) {
            throw new IllegalArgumentException("chunk size must be >= 50 and overlap in [0, chunk size)");
        }
        this.splitter = DocumentSplitters.recursive(chunkChars, overlapChars);
    }

    @Override
    public List<String> chunk(String text) {
        return splitter.split(Document.from(text)).stream().map(TextSegment::text).filter(s -> !s.isBlank()).toList();
    }
}
