package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightFilesTest {
    @TempDir
    Path dir;

    private Path gguf(String name, int magic, int version) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).putInt(version);
        return Files.write(dir.resolve(name), b.array());
    }

    @Test
    void pickleFilesAreRefusedByName() throws Exception {
        for (String name : new String[] {"model.bin", "model.pt", "weights.PTH", "x.ckpt", "y.pkl"}) {
            Path file = Files.write(dir.resolve(name), new byte[16]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightFiles.check(file, null));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("pickle"), e.getMessage());
        }
    }

    @Test
    void headerAndDigestAreChecked() throws Exception {
        Path good = gguf("good.gguf", 0x46554747, 3);
        assertDoesNotThrow(() -> WeightFiles.check(good, null));
        assertDoesNotThrow(() -> WeightFiles.check(good, WeightFiles.sha256(good)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightFiles.check(good, "00".repeat(32)))
                .getMessage().contains("SHA-256"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightFiles.check(gguf("bad-magic.gguf", 0x12345678, 3), null)).getMessage().contains("magic"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightFiles.check(gguf("v99.gguf", 0x46554747, 99), null)).getMessage().contains("version 99"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightFiles.check(Files.write(dir.resolve("short.gguf"), new byte[3]), null)).getMessage().contains("truncated"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightFiles.check(Files.write(dir.resolve("adapter.safetensors"), new byte[16]), null))
                .getMessage().contains("convert it to GGUF"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightFiles.check(dir.resolve("missing.gguf"), null)).getMessage().contains("does not exist"));
    }
}
