package io.ragsuite.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the black-box tests share: where the repository and the packaged services are, free ports. */
final class E2eSupport {
    private E2eSupport() {
    }

    /** Walks up from the working directory (the module directory under Maven) to the directory holding `rag`. */
    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("rag")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory containing `rag` and `pom.xml` above "
                + Path.of("").toAbsolutePath());
    }

    /** The packaged (fast-jar) service. */
    static Path jarOf(Path root, String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Free loopback ports below Linux's ephemeral range (32768 and up by default), all held open together so that
     * they are distinct. Ports the OS hands out for port 0 come from that range, which outgoing connections use too:
     * one such connection took a port between this check and `rag up` binding it (seen once, 2026-12-08), so the
     * ports are searched from a random point in 20000-32767 instead.
     */
    static List<Integer> freePorts(int count) throws IOException {
        int low = 20_000;
        int span = 32_768 - low;
        int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < span && sockets.size() < count; i++) {
                int port = low + (start + i) % span;
                try {
                    ServerSocket socket = new ServerSocket();
                    socket.setReuseAddress(true);
                    socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                    sockets.add(socket);
                } catch (IOException inUse) {
                    // taken; try the next
                }
            }
            if (sockets.size() < count) {
                throw new IOException("fewer than " + count + " free ports in " + low + "-32767");
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
