package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.ServiceException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * All collections under one data folder, one sub-folder each ({@code <name>/collection.properties} and
 * {@code <name>/index/}). Creating and deleting a collection are atomic on disk: a collection is built in a
 * hidden temporary folder and renamed into place, and deleted by renaming it away before removing it, so
 * a crash never leaves a half-made collection that would be loaded at the next start.
 */
public final class CollectionStore implements AutoCloseable {
    private static final String SPEC_FILE = "collection.properties";
    private static final String INDEX_DIR = "index";

    private final Path dataDir;
    private final StoreLimits limits;
    private final Map<String, LuceneCollection> collections = new ConcurrentHashMap<>();

    /** Opens every collection found under {@code dataDir}, creating the folder if needed. */
    public CollectionStore(Path dataDir, StoreLimits limits) throws IOException {
        this.dataDir = Files.createDirectories(dataDir);
        this.limits = limits;
        try (Stream<Path> children = Files.list(dataDir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (name.startsWith(".")) {
                    deleteTree(child); // leftovers of an interrupted create or delete
                } else if (Files.isRegularFile(child.resolve(SPEC_FILE))) {
                    CollectionSpec spec = readSpec(child.resolve(SPEC_FILE));
                    collections.put(spec.name(), new LuceneCollection(spec, child.resolve(INDEX_DIR), limits));
                }
            }
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public StoreLimits limits() {
        return limits;
    }

    public synchronized LuceneCollection create(CollectionSpec spec) {
        if (collections.containsKey(spec.name())) {
            throw ServiceException.alreadyExists("collection '" + spec.name() + "' already exists");
        }
        Path target = dataDir.resolve(spec.name());
        Path staging = dataDir.resolve(".creating-" + spec.name() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging.resolve(INDEX_DIR));
            writeSpec(staging.resolve(SPEC_FILE), spec);
            // Build the empty index in the staging folder, so it exists in full before the rename.
            new LuceneCollection(spec, staging.resolve(INDEX_DIR), limits).close();
            fsync(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(dataDir);
            LuceneCollection collection = new LuceneCollection(spec, target.resolve(INDEX_DIR), limits);
            collections.put(spec.name(), collection);
            return collection;
        } catch (IOException e) {
            deleteTree(staging);
            throw new UncheckedIOException("creating collection " + spec.name(), e);
        }
    }

    public LuceneCollection get(String name) {
        CollectionSpec.checkName(name);
        LuceneCollection c = collections.get(name);
        if (c == null) {
            throw ServiceException.notFound("collection '" + name + "' does not exist");
        }
        return c;
    }

    public List<LuceneCollection> list() {
        List<LuceneCollection> all = new ArrayList<>(collections.values());
        all.sort(Comparator.comparing(c -> c.spec().name()));
        return all;
    }

    public synchronized void delete(String name) {
        LuceneCollection c = get(name);
        // Close first (Lucene holds a lock file in the folder), then move the folder away; if the move fails
        // the collection is opened again, so what is on disk and what is served never disagree.
        collections.remove(name);
        c.close();
        Path folder = dataDir.resolve(name);
        Path trash = dataDir.resolve(".deleting-" + name + "-" + UUID.randomUUID());
        try {
            Files.move(folder, trash, StandardCopyOption.ATOMIC_MOVE);
            fsync(dataDir);
        } catch (IOException e) {
            try {
                collections.put(name, new LuceneCollection(c.spec(), folder.resolve(INDEX_DIR), limits));
            } catch (IOException reopen) {
                e.addSuppressed(reopen);
            }
            throw new UncheckedIOException("deleting collection " + name, e);
        }
        deleteTree(trash);
    }

    private static void writeSpec(Path file, CollectionSpec spec) throws IOException {
        Properties p = new Properties();
        p.setProperty("name", spec.name());
        p.setProperty("dimension", Integer.toString(spec.dimension()));
        p.setProperty("metric", spec.metric().name());
        p.setProperty("hnsw.m", Integer.toString(spec.m()));
        p.setProperty("hnsw.ef_construction", Integer.toString(spec.efConstruction()));
        p.setProperty("hnsw.ef_search", Integer.toString(spec.efSearch()));
        p.setProperty("quantization", spec.quantization().name());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "collection spec; written once at creation");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static CollectionSpec readSpec(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new CollectionSpec(p.getProperty("name"), Integer.parseInt(p.getProperty("dimension")),
                Metric.valueOf(p.getProperty("metric")), Integer.parseInt(p.getProperty("hnsw.m")),
                Integer.parseInt(p.getProperty("hnsw.ef_construction")),
                // Collections created before these settings existed get their defaults.
                Integer.parseInt(p.getProperty("hnsw.ef_search", Integer.toString(CollectionSpec.DEFAULT_EF_SEARCH))),
                Quantization.valueOf(p.getProperty("quantization", Quantization.NONE.name())));
    }

    private static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + root, e);
        }
    }

    @Override
    public void close() {
        collections.values().forEach(LuceneCollection::close);
        collections.clear();
    }
}
