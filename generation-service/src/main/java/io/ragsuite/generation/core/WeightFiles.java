package io.ragsuite.generation.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a weight file before it reaches the engine: pickle-based formats (which can run code when
 * loaded) are refused by name, a GGUF file must start with the GGUF magic and a known version, and when a
 * digest is configured the file's SHA-256 must match it.
 */
public final class WeightFiles {
    private static final Set<String> PICKLE_SUFFIXES = Set.of(".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle");
    private static final int GGUF_MAGIC = 0x46554747; // "GGUF" read little-endian

    private WeightFiles() {
    }

    /** Throws IllegalArgumentException naming the file and the reason when it may not be loaded. */
    public static void check(Path file, String expectedSha256) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String suffix : PICKLE_SUFFIXES) {
            if (name.endsWith(suffix)) {
                throw new IllegalArgumentException(file + " is a pickle-based weight file (" + suffix
                        + "), which can execute code when loaded; only GGUF and safetensors are accepted");
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " does not exist or is not a file");
        }
        byte[] header = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, 8) < 8) {
                throw new IllegalArgumentException(file + " is too short to be a GGUF file");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(0) != GGUF_MAGIC) {
            throw new IllegalArgumentException(file + " does not start with the GGUF magic");
        }
        int version = h.getInt(4);
        if (version < 2 || version > 3) {
            throw new IllegalArgumentException(file + " has GGUF version " + version + "; versions 2 and 3 are supported");
        }
        if (expectedSha256 != null && !expectedSha256.isBlank()) {
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(expectedSha256.strip())) {
                throw new IllegalArgumentException(file + " has SHA-256 " + actual + " but " + expectedSha256
                        + " was configured");
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
