package io.ragsuite.generation.core;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file's header, read and checked before the file reaches llama.cpp: magic, version, every metadata
 * entry (known value types, lengths within the file), every tensor's name, shape, type and data range
 * (known ggml type, shape a whole number of blocks, offsets aligned, data inside the file, no two tensors
 * overlapping). Written here rather than taken from a library because no JVM library reads GGUF, and
 * because this is a safety check: it must turn any malformed input into a {@link GgufFormatException},
 * never an out-of-memory error or a native crash. Every count and length read from the file is checked
 * against the bytes actually left before anything is allocated for it.
 *
 * <p>Format: <a href="https://github.com/ggml-org/ggml/blob/master/docs/gguf.md">ggml docs/gguf.md</a>
 * (versions 2 and 3; version 1 used 32-bit counts and is no longer written by anyone).
 *
 * @param version        2 or 3
 * @param metadata       metadata values: numbers, booleans, strings; arrays as {@link ArrayInfo} (element
 *                       type and count; string arrays such as the vocabulary are not kept)
 * @param tensors        tensor descriptions in file order
 * @param dataOffset     where the tensor data section starts (aligned)
 * @param alignment      {@code general.alignment} or the default 32
 */
public record GgufHeader(int version, Map<String, Object> metadata, List<TensorInfo> tensors, long dataOffset,
        int alignment) {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    /** llama.cpp's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    /** Longest key or string value accepted (a chat template is a few KB; nothing legitimate nears this). */
    public static final int MAX_STRING_BYTES = 1 << 24;
    /** Deepest nesting of arrays in arrays accepted. */
    public static final int MAX_ARRAY_DEPTH = 4;

    /** A tensor: name, shape (innermost dimension first, as ggml), ggml type, data range relative to the file. */
    public record TensorInfo(String name, long[] shape, GgmlType type, long offset, long bytes) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** An array value: element type and count (elements are skipped, not kept). */
    public record ArrayInfo(String elementType, long count) {
    }

    /** A file that is not a well-formed GGUF file; the message says where and why. */
    public static final class GgufFormatException extends IllegalArgumentException {
        public GgufFormatException(String message) {
            super(message);
        }
    }

    /** Reads and checks the header of a file. */
    public static GgufHeader read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, ch.size());
        }
    }

    /**
     * Reads and checks a header from {@code ch} (positioned at 0) of a file {@code fileSize} bytes long;
     * only the header is read, tensor data is checked by its declared ranges.
     */
    public static GgufHeader read(SeekableByteChannel ch, long fileSize) throws IOException {
        Reader r = new Reader(ch, fileSize);
        try {
            return parse(r, fileSize);
        } catch (EOFException e) {
            throw new GgufFormatException("truncated header: " + e.getMessage());
        }
    }

    private static GgufHeader parse(Reader r, long fileSize) throws IOException {
        if (r.i32() != MAGIC) {
            throw new GgufFormatException("does not start with the GGUF magic");
        }
        int version = r.i32();
        if (version < 2 || version > 3) {
            throw new GgufFormatException("GGUF version " + Integer.toUnsignedString(version)
                    + "; versions 2 and 3 are supported");
        }
        long tensorCount = r.count("tensor count", 8 + 4 + 8 + 4 + 8); // smallest tensor info: name, 1 dim, type, offset
        long kvCount = r.count("metadata count", 8 + 4 + 1);            // smallest entry: empty key, type, one byte
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = r.string("metadata key #" + i);
            if (key.isEmpty()) {
                throw new GgufFormatException("metadata key #" + i + " is empty");
            }
            if (metadata.containsKey(key)) {
                throw new GgufFormatException("metadata key '" + key + "' appears twice");
            }
            metadata.put(key, r.value(r.i32(), "metadata '" + key + "'", 0));
        }
        int alignment = DEFAULT_ALIGNMENT;
        Object declared = metadata.get("general.alignment");
        if (declared != null) {
            if (!(declared instanceof Long a) || a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
                throw new GgufFormatException("general.alignment must be a power of two up to 1 MiB, got " + declared);
            }
            alignment = (int) (long) (Long) declared;
        }
        List<TensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = r.string("tensor #" + i + " name");
            if (!names.add(name)) {
                throw new GgufFormatException("tensor '" + name + "' appears twice");
            }
            int dims = r.i32();
            if (dims < 1 || dims > MAX_DIMS) {
                throw new GgufFormatException("tensor '" + name + "' has " + Integer.toUnsignedString(dims)
                        + " dimensions; 1 to " + MAX_DIMS + " are allowed");
            }
            long[] shape = new long[dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                shape[d] = r.i64();
                if (shape[d] <= 0) {
                    throw new GgufFormatException("tensor '" + name + "' dimension " + d + " is "
                            + Long.toUnsignedString(shape[d]));
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException("tensor '" + name + "' has more elements than fit in 64 bits");
                }
            }
            int typeId = r.i32();
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException("tensor '" + name + "' has unknown ggml type " + Integer.toUnsignedString(typeId));
            }
            if (shape[0] % type.blockSize() != 0) {
                throw new GgufFormatException("tensor '" + name + "' of type " + type + " has a first dimension of "
                        + shape[0] + ", not a multiple of its block size " + type.blockSize());
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(elements / type.blockSize(), type.blockBytes());
            } catch (ArithmeticException e) {
                throw new GgufFormatException("tensor '" + name + "' is larger than 64 bits can count");
            }
            long offset = r.i64();
            if (offset < 0 || offset % alignment != 0) {
                throw new GgufFormatException("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            tensors.add(new TensorInfo(name, shape, type, offset, bytes));
        }
        long dataOffset = align(r.position(), alignment);
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::offset));
        long end = 0;
        String previous = null;
        for (TensorInfo t : byOffset) {
            if (t.offset() < end) {
                throw new GgufFormatException("tensor '" + t.name() + "' overlaps tensor '" + previous + "'");
            }
            long last = dataOffset + t.offset() + t.bytes();
            if (last < 0 || last > fileSize) {
                throw new GgufFormatException("tensor '" + t.name() + "' data ends at byte " + Long.toUnsignedString(last)
                        + ", past the end of the file (" + fileSize + " bytes)");
            }
            end = t.offset() + t.bytes();
            previous = t.name();
        }
        return new GgufHeader(version, metadata, tensors, dataOffset, alignment);
    }

    private static long align(long position, int alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    /** Little-endian reads over a channel, never past {@code limit}, with a small buffer. */
    private static final class Reader {
        private final SeekableByteChannel ch;
        private final long limit;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long bufStart;

        Reader(SeekableByteChannel ch, long limit) {
            this.ch = ch;
            this.limit = limit;
            buf.limit(0);
        }

        long position() {
            return bufStart + buf.position();
        }

        long remaining() {
            return limit - position();
        }

        private void need(long n, String what) throws IOException {
            if (n > remaining()) {
                throw new EOFException(what + " needs " + n + " bytes at offset " + position() + ", the file ends at "
                        + limit);
            }
            if (buf.remaining() >= n) {
                return;
            }
            bufStart = position();
            buf.compact();
            while (buf.position() < n) {
                int read = ch.read(buf);
                if (read < 0) {
                    throw new EOFException(what + " at offset " + position() + ": the file is shorter than " + limit);
                }
            }
            buf.flip();
            // compact() kept the unread bytes at the front, so bufStart is where they begin.
        }

        int i32() throws IOException {
            need(4, "a 32-bit value");
            return buf.getInt();
        }

        long i64() throws IOException {
            need(8, "a 64-bit value");
            return buf.getLong();
        }

        /** A count of items each at least {@code minItemBytes} long: more than the file can hold is refused. */
        long count(String what, long minItemBytes) throws IOException {
            long n = i64();
            if (n < 0 || n > remaining() / minItemBytes) {
                throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " is more than the file can hold");
            }
            return n;
        }

        void skip(long n, String what) throws IOException {
            while (n > 0) {
                long step = Math.min(n, buf.capacity());
                need(step, what);
                buf.position(buf.position() + (int) step);
                n -= step;
            }
        }

        String string(String what) throws IOException {
            long length = i64();
            if (length < 0 || length > MAX_STRING_BYTES || length > remaining()) {
                throw new GgufFormatException(what + ": string length " + Long.toUnsignedString(length)
                        + " is more than the file holds or " + MAX_STRING_BYTES + " bytes");
            }
            byte[] bytes = new byte[(int) length];
            int done = 0;
            while (done < bytes.length) {
                int step = Math.min(bytes.length - done, buf.capacity());
                need(step, what);
                buf.get(bytes, done, step);
                done += step;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new GgufFormatException(what + " is not valid UTF-8");
            }
        }

        /** One metadata value of a GGUF value type; arrays are skipped element by element and summarised. */
        Object value(int type, String what, int depth) throws IOException {
            return switch (type) {
                case 0 -> { need(1, what); yield (long) (buf.get() & 0xff); }          // UINT8
                case 1 -> { need(1, what); yield (long) buf.get(); }                   // INT8
                case 2 -> { need(2, what); yield (long) (buf.getShort() & 0xffff); }   // UINT16
                case 3 -> { need(2, what); yield (long) buf.getShort(); }              // INT16
                case 4 -> Integer.toUnsignedLong(i32());                               // UINT32
                case 5 -> (long) i32();                                                // INT32
                case 6 -> (double) Float.intBitsToFloat(i32());                        // FLOAT32
                case 7 -> {                                                            // BOOL
                    need(1, what);
                    byte b = buf.get();
                    if (b != 0 && b != 1) {
                        throw new GgufFormatException(what + ": boolean byte is " + b);
                    }
                    yield b == 1;
                }
                case 8 -> string(what);                                                // STRING
                case 9 -> {                                                            // ARRAY
                    if (depth >= MAX_ARRAY_DEPTH) {
                        throw new GgufFormatException(what + ": arrays nested deeper than " + MAX_ARRAY_DEPTH);
                    }
                    int elementType = i32();
                    int minBytes = switch (elementType) {
                        case 0, 1, 7 -> 1;
                        case 2, 3 -> 2;
                        case 4, 5, 6 -> 4;
                        case 8, 10, 11, 12 -> 8;
                        case 9 -> 12;
                        default -> throw new GgufFormatException(what + ": unknown array element type "
                                + Integer.toUnsignedString(elementType));
                    };
                    long n = count(what + " array length", minBytes);
                    if (elementType == 8 || elementType == 9 || elementType == 7) {
                        for (long i = 0; i < n; i++) {
                            value(elementType, what + "[" + i + "]", depth + 1);
                        }
                    } else {
                        skip(n * minBytes, what);
                    }
                    yield new ArrayInfo(typeName(elementType), n);
                }
                case 10 -> i64();                                                      // UINT64 (as signed bits)
                case 11 -> i64();                                                      // INT64
                case 12 -> Double.longBitsToDouble(i64());                             // FLOAT64
                default -> throw new GgufFormatException(what + ": unknown value type " + Integer.toUnsignedString(type));
            };
        }

        private static String typeName(int type) {
            return switch (type) {
                case 0 -> "uint8";
                case 1 -> "int8";
                case 2 -> "uint16";
                case 3 -> "int16";
                case 4 -> "uint32";
                case 5 -> "int32";
                case 6 -> "float32";
                case 7 -> "bool";
                case 8 -> "string";
                case 9 -> "array";
                case 10 -> "uint64";
                case 11 -> "int64";
                default -> "float64";
            };
        }
    }
}
