package io.ragsuite.vectorsearch.lucene;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;

/**
 * What a hit returns besides its vector (id, text, metadata), packed into one binary doc value per point.
 *
 * <p>Why not stored fields, Lucene's usual place for this: they are compressed in chunks of up to a
 * thousand documents, so every hit read back costs a chunk header decode and an LZ4 decompression of a
 * sub-block, several microseconds each, ten times per top-10 search. At the small ef of recall 0.95 that
 * was the largest fixed cost of a search (bench/vector-search/README.md). A binary doc value is read by
 * offset from the mapped file, with no decompression. The text is not kept twice: new points have no
 * stored fields at all; points written before this layout are still read from their stored fields.
 *
 * <p>Layout: a format byte, then id, text and the metadata count and pairs, each string as Lucene's
 * {@code writeString} writes it (vInt length, UTF-8). Metadata keys are written sorted, so equal points give
 * equal bytes.
 */
final class PointPayload {
    private static final byte FORMAT = 1;

    private PointPayload() {
    }

    static BytesRef encode(String id, String text, Map<String, String> metadata) {
        int size = 1 + utf8Bound(id) + utf8Bound(text) + 5;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            size += utf8Bound(e.getKey()) + utf8Bound(e.getValue());
        }
        byte[] bytes = new byte[size];
        ByteArrayDataOutput out = new ByteArrayDataOutput(bytes);
        try {
            out.writeByte(FORMAT);
            out.writeString(id);
            out.writeString(text);
            out.writeVInt(metadata.size());
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                out.writeString(e.getKey());
                out.writeString(e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to a byte array cannot fail", e);
        }
        return new BytesRef(bytes, 0, out.getPosition());
    }

    /** The point's id, text and metadata, from bytes {@link #encode} wrote. */
    static Decoded decode(BytesRef bytes) throws IOException {
        ByteArrayDataInput in = new ByteArrayDataInput(bytes.bytes, bytes.offset, bytes.length);
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown point payload format " + format + " (written by a newer version?)");
        }
        String id = in.readString();
        String text = in.readString();
        int n = in.readVInt();
        Map<String, String> metadata = n == 0 ? Map.of() : new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            metadata.put(in.readString(), in.readString());
        }
        return new Decoded(id, text, metadata);
    }

    record Decoded(String id, String text, Map<String, String> metadata) {
    }

    /** Most bytes {@code writeString} takes for {@code s}: a 5-byte vInt length and the UTF-8 bytes. */
    private static int utf8Bound(String s) {
        return 5 + s.length() * UnicodeUtil.MAX_UTF8_BYTES_PER_CHAR;
    }
}
