package io.ragsuite.orchestrator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API keys, stored as SHA-256 hashes only: a file (a mounted Kubernetes Secret, say) of lines {@code NAME:SHA256HEX}
 * ({@code #} comments), the hash of the key a client sends. A presented key is hashed and compared with every stored
 * hash in constant time, so neither the file nor timing gives a key away; the name identifies the caller in logs,
 * rate limits and the audit log.
 */
public final class ApiKeys {
    private final Map<String, byte[]> hashByName;

    public ApiKeys(Map<String, byte[]> hashByName) {
        this.hashByName = Map.copyOf(hashByName);
    }

    public static ApiKeys load(Path file) throws IOException {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.lastIndexOf(':');
            String hex = colon < 0 ? "" : line.substring(colon + 1).strip().toLowerCase();
            if (colon <= 0 || !hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected NAME:SHA256HEX (64 hex digits)");
            }
            if (keys.put(line.substring(0, colon).strip(), HexFormat.of().parseHex(hex)) != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": the name is used twice");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no keys");
        }
        return new ApiKeys(keys);
    }

    public int size() {
        return hashByName.size();
    }

    /** The name of the key, or empty when it is not one of ours. */
    public Optional<String> identify(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        String found = null;
        for (Map.Entry<String, byte[]> e : hashByName.entrySet()) {
            // Every entry is compared, found or not.
            if (MessageDigest.isEqual(hash, e.getValue()) && found == null) {
                found = e.getKey();
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
