package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GGUF header check: a well-formed file is read in full, each kind of malformation is refused with a
 * message, and thousands of randomly mutated headers (of a small synthetic file and of the real shipped
 * model) only ever give a {@link GgufHeader.GgufFormatException}: never another exception, an
 * out-of-memory error or a hang.
 */
class GgufHeaderTest {
    /** Builds GGUF v3 files byte by byte, little-endian, as the format describes. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u32(long v) {
            return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        }

        Writer u64(long v) {
            return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        Writer f32(float v) {
            return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).raw(b);
        }

        Writer raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Writer padTo(int alignment) {
            while (out.size() % alignment != 0) {
                out.write(0);
            }
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A small valid file: 5 metadata entries (string, u32, string array, f32 array, bool), 3 tensors. */
    static byte[] sample() {
        Writer w = new Writer().u32(GgufHeader.MAGIC).u32(3).u64(3).u64(5);
        w.str("general.architecture").u32(8).str("llama");
        w.str("general.alignment").u32(4).u32(32);
        w.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(3).str("<s>").str("hello").str("wörld");
        w.str("tokenizer.ggml.scores").u32(9).u32(6).u64(3).f32(0).f32(-1).f32(-2);
        w.str("general.flag").u32(7).raw(new byte[] {1});
        w.str("a").u32(2).u64(8).u64(2).u32(GgmlType.F32.id()).u64(0);      // 64 bytes at 0
        w.str("b").u32(1).u64(64).u32(GgmlType.Q4_0.id()).u64(64);           // 2 blocks x 18 = 36 bytes at 64
        w.str("c").u32(2).u64(32).u64(1).u32(GgmlType.Q8_0.id()).u64(128);   // 1 block x 34 bytes at 128
        w.padTo(32);
        return w.raw(new byte[128 + 34]).bytes();
    }

    private static GgufHeader read(byte[] file) throws IOException {
        return GgufHeader.read(new BytesChannel(file), file.length);
    }

    @Test
    void aWellFormedFileIsReadInFull() throws Exception {
        GgufHeader h = read(sample());
        assertEquals(3, h.version());
        assertEquals("llama", h.metadata().get("general.architecture"));
        assertEquals(new GgufHeader.ArrayInfo("string", 3), h.metadata().get("tokenizer.ggml.tokens"));
        assertEquals(true, h.metadata().get("general.flag"));
        assertEquals(List.of("a", "b", "c"), h.tensors().stream().map(GgufHeader.TensorInfo::name).toList());
        assertEquals(36, h.tensors().get(1).bytes());
        assertEquals(0, h.dataOffset() % 32);
    }

    @Test
    void eachMalformationIsRefusedWithAReason() throws Exception {
        byte[] good = sample();
        int tensorsStart = indexOf(good, "\u0001\0\0\0\0\0\0\0a".getBytes(StandardCharsets.ISO_8859_1)); // name "a"
        refused(set(good, 4, 1), "version 1");
        refused(set(good, 0, 0x12345678), "magic");
        refused(setLong(good, 8, Long.MAX_VALUE), "tensor count");
        refused(setLong(good, 16, 1L << 40), "metadata count");
        refused(Arrays.copyOf(good, 40), "more than the file can hold");
        refused(Arrays.copyOf(good, tensorsStart + 20), "truncated");
        // Tensor "a": n_dims at +9, first dim at +13, type at +29, offset at +33.
        refused(set(good, tensorsStart + 9, 5), "dimensions");
        refused(setLong(good, tensorsStart + 13, 0), "dimension 0");
        refused(set(good, tensorsStart + 29, 4), "unknown ggml type 4");
        refused(setLong(good, tensorsStart + 33, 7), "not a multiple of the alignment");
        refused(setLong(good, tensorsStart + 33, 64), "overlaps");
        refused(setLong(good, tensorsStart + 33, 1L << 20), "past the end of the file");
        refused(setLong(good, tensorsStart + 13, Long.MAX_VALUE / 2), "64 bits");
        // Q4_0 tensor "b" with 63 elements: not a whole number of 32-element blocks.
        int b = indexOf(good, "\u0001\0\0\0\0\0\0\0b".getBytes(StandardCharsets.ISO_8859_1));
        refused(setLong(good, b + 13, 63), "block size");
        // The first key's length made huge: refused before allocating it.
        refused(setLong(good, 24, 1L << 40), "string length");
        byte[] badUtf8 = good.clone();
        badUtf8[32] = (byte) 0xff; // inside "general.architecture"
        refused(badUtf8, "UTF-8");
    }

    /**
     * Random mutations: bit flips, random 32/64-bit values at random places, truncation, repeated blocks.
     * Half of them land in the first 256 bytes, where the counts and the first entries are.
     */
    @Test
    void mutatedSyntheticHeadersOnlyEverGiveFormatErrors() throws Exception {
        fuzz(sample(), sample().length, 5000, new Random(20261127));
    }

    /** The same against the shipped model's real header (tokenizer arrays, chat template, 270 tensors). */
    @Test
    void mutatedRealModelHeadersOnlyEverGiveFormatErrors() throws Exception {
        String model = System.getenv("RAG_GENERATION_MODEL_PATH");
        org.junit.jupiter.api.Assumptions.assumeTrue(model != null && Files.isRegularFile(Path.of(model)),
                "RAG_GENERATION_MODEL_PATH not set (./rag test sets it)");
        GgufHeader real = GgufHeader.read(Path.of(model));
        long fileSize = Files.size(Path.of(model));
        byte[] header = new byte[(int) real.dataOffset()];
        try (var in = Files.newInputStream(Path.of(model))) {
            in.readNBytes(header, 0, header.length);
        }
        assertTrue(real.tensors().size() > 100, "tensors: " + real.tensors().size());
        // The header alone, claiming the real size: only the header is read, tensor ranges checked by size.
        assertEquals(real.tensors().size(), GgufHeader.read(new BytesChannel(header), fileSize).tensors().size());
        fuzz(header, fileSize, 1000, new Random(7));
    }

    private static void fuzz(byte[] original, long fileSize, int rounds, Random rnd) throws IOException {
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < rounds; round++) {
            byte[] m = mutate(original, rnd);
            long size = m.length == original.length ? fileSize : m.length;
            try {
                GgufHeader.read(new BytesChannel(m), size);
                accepted++;
            } catch (GgufHeader.GgufFormatException e) {
                refused++;
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e + " is not a format error", e);
            }
        }
        System.out.printf("fuzz: %d mutated headers, %d refused, %d still well-formed%n", rounds, refused, accepted);
        assertTrue(refused > rounds / 4, "most mutations must be caught: " + refused);
    }

    private static byte[] mutate(byte[] original, Random rnd) {
        byte[] m = original.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(256, m.length)) : rnd.nextInt(m.length);
            switch (rnd.nextInt(5)) {
                case 0 -> m[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> m[at] = (byte) rnd.nextInt(256);
                case 2 -> {
                    if (at + 8 <= m.length) {
                        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(at, rnd.nextBoolean() ? rnd.nextLong()
                                : rnd.nextInt(1 << 16));
                    }
                }
                case 3 -> {
                    if (at + 4 <= m.length) {
                        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(at, rnd.nextInt(64) - 8);
                    }
                }
                default -> m = Arrays.copyOf(m, at);
            }
            if (m.length == 0) {
                break;
            }
        }
        return m;
    }

    private static void refused(byte[] file, String reason) {
        GgufHeader.GgufFormatException e = assertThrows(GgufHeader.GgufFormatException.class, () -> read(file));
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    private static byte[] set(byte[] b, int at, int value) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return c;
    }

    private static byte[] setLong(byte[] b, int at, long value) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return c;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    /** A read-only channel over bytes in memory. */
    static final class BytesChannel implements SeekableByteChannel {
        private final byte[] data;
        private int position;

        BytesChannel(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= data.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), data.length - position);
            dst.put(data, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) newPosition;
            return this;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
