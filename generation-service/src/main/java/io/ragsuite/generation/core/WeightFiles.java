package io.ragsuite.generation.core;

import java.io.IOException;
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
 * loaded) are refused by name, anything but GGUF is refused (llama.cpp loads GGUF; safetensors weights are
 * converted to GGUF first), the GGUF header is read and checked in full ({@link GgufHeader}), and when a
 * digest is configured the file's SHA-256 must match it.
 */
public final class WeightFiles {
    private static final Set<String> PICKLE_SUFFIXES = Set.of(".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle");

    private WeightFiles() {
    }

    /**
     * Returns the checked header, or throws IllegalArgumentException naming the file and the reason when it
     * may not be loaded.
     */
    public static GgufHeader check(Path file, String expectedSha256) throws IOException {
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
        if (name.endsWith(".safetensors")) {
            throw new IllegalArgumentException(file + " is safetensors, which llama.cpp does not load; convert it to GGUF "
                    + "(llama.cpp's convert_hf_to_gguf.py / convert_lora_to_gguf.py)");
        }
        GgufHeader header;
        try {
            header = GgufHeader.read(file);
        } catch (GgufHeader.GgufFormatException e) {
            throw new IllegalArgumentException(file + " is not a valid GGUF file: " + e.getMessage(), e);
        }
        if (expectedSha256 != null && !expectedSha256.isBlank()) {
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(expectedSha256.strip())) {
                throw new IllegalArgumentException(file + " has SHA-256 " + actual + " but " + expectedSha256
                        + " was configured");
            }
        }
        return header;
    }

    /**
     * Checks a LoRA adapter for {@code base} as {@link #check} does, and that its metadata declares a LoRA
     * adapter ({@code general.type = adapter}, {@code adapter.type = lora}) for the base's architecture.
     */
    public static GgufHeader checkAdapter(Path file, String expectedSha256, GgufHeader base) throws IOException {
        GgufHeader header = check(file, expectedSha256);
        Object type = header.metadata().get("general.type");
        Object adapterType = header.metadata().get("adapter.type");
        if (!"adapter".equals(type) || !"lora".equals(adapterType)) {
            throw new IllegalArgumentException(file + " is not a GGUF LoRA adapter (general.type=" + type
                    + ", adapter.type=" + adapterType + "); convert PEFT adapters with llama.cpp's convert_lora_to_gguf.py");
        }
        Object arch = header.metadata().get("general.architecture");
        Object baseArch = base.metadata().get("general.architecture");
        if (arch == null || !arch.equals(baseArch)) {
            throw new IllegalArgumentException(file + " is an adapter for architecture " + arch
                    + ", but the base model is " + baseArch);
        }
        return header;
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
