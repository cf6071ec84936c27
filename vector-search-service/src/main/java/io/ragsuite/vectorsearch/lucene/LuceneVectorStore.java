package io.ragsuite.vectorsearch.lucene;

import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.SnapshotInfo;
import io.ragsuite.vectorsearch.core.StoreLimits;
import io.ragsuite.vectorsearch.core.VectorStore;
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
import java.time.Instant;
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
public final class LuceneVectorStore implements VectorStore {
    private static final String SPEC_FILE = "collection.properties";
    private static final String INDEX_DIR = "index";
    /** Snapshots live in {@code _snapshots/<collection>/<id>/}; "_" cannot start a collection name. */
    private static final String SNAPSHOTS_DIR = "_snapshots";

    private final Path dataDir;
    private final StoreLimits limits;
    private final Map<String, LuceneCollection> collections = new ConcurrentHashMap<>();

    private final CommitPolicy commitPolicy;

    /** Opens every collection found under {@code dataDir}, creating the folder if needed; sync commits. */
    public LuceneVectorStore(Path dataDir, StoreLimits limits) throws IOException {
        this(dataDir, limits, CommitPolicy.SYNC);
    }

    /** Opens every collection found under {@code dataDir}, creating the folder if needed. */
    public LuceneVectorStore(Path dataDir, StoreLimits limits, CommitPolicy commitPolicy) throws IOException {
        this.dataDir = Files.createDirectories(dataDir);
        this.limits = limits;
        this.commitPolicy = commitPolicy;
        try (Stream<Path> children = Files.list(dataDir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (name.equals(SNAPSHOTS_DIR)) {
                    cleanSnapshotLeftovers(child);
                } else if (name.startsWith(".")) {
                    deleteTree(child); // leftovers of an interrupted create or delete
                } else if (Files.isRegularFile(child.resolve(SPEC_FILE))) {
                    CollectionSpec spec = readSpec(child.resolve(SPEC_FILE));
                    collections.put(spec.name(), new LuceneCollection(spec, child.resolve(INDEX_DIR), limits, commitPolicy));
                }
            }
        }
    }

    @Override
    public String backend() {
        return "lucene";
    }

    @Override
    public String location() {
        return dataDir.toString();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public synchronized LuceneCollection create(CollectionSpec spec) {
        return install(spec, null);
    }

    /**
     * Creates a collection, empty or from the index files in {@code from}. It is built in a hidden staging
     * folder and renamed into place, so a crash never leaves half of it.
     */
    private LuceneCollection install(CollectionSpec spec, Path from) {
        if (collections.containsKey(spec.name())) {
            throw ServiceException.alreadyExists("collection '" + spec.name() + "' already exists");
        }
        Path target = dataDir.resolve(spec.name());
        Path staging = dataDir.resolve(".creating-" + spec.name() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging.resolve(INDEX_DIR));
            writeSpec(staging.resolve(SPEC_FILE), spec);
            if (from != null) {
                try (Stream<Path> files = Files.list(from)) {
                    for (Path file : files.toList()) {
                        copyDurably(file, staging.resolve(INDEX_DIR).resolve(file.getFileName()));
                    }
                }
            }
            // Open (and for a new one create) the index in the staging folder, so it exists in full before
            // the rename.
            new LuceneCollection(spec, staging.resolve(INDEX_DIR), limits).close();
            fsync(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(dataDir);
            LuceneCollection collection = new LuceneCollection(spec, target.resolve(INDEX_DIR), limits, commitPolicy);
            collections.put(spec.name(), collection);
            return collection;
        } catch (IOException e) {
            deleteTree(staging);
            throw new UncheckedIOException("creating collection " + spec.name(), e);
        }
    }

    /**
     * Snapshots a collection while writes go on: the copy holds exactly the writes acknowledged before its
     * commit point (see {@link LuceneCollection#copyLastCommit}).
     */
    @Override
    public SnapshotInfo snapshot(String name) {
        LuceneCollection c = get(name);
        Instant now = Instant.now();
        String id = SnapshotInfo.newId(now);
        Path dir = dataDir.resolve(SNAPSHOTS_DIR).resolve(name);
        Path staging = dir.resolve(".taking-" + id);
        try {
            Files.createDirectories(staging);
            writeSpec(staging.resolve(SPEC_FILE), c.spec());
            c.copyLastCommit(staging.resolve(INDEX_DIR));
            fsync(staging.resolve(INDEX_DIR));
            fsync(staging);
            Files.move(staging, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            fsync(dir);
            return describe(name, id);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("snapshot of " + name, (IOException) e);
        }
    }

    /** Snapshots of a collection, oldest first; also those of a collection deleted since. */
    @Override
    public List<SnapshotInfo> snapshots(String name) {
        CollectionSpec.checkName(name);
        Path dir = dataDir.resolve(SNAPSHOTS_DIR).resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            List<SnapshotInfo> out = new ArrayList<>();
            for (Path child : children.sorted().toList()) {
                String id = child.getFileName().toString();
                if (SnapshotInfo.isId(id)) {
                    out.add(describe(name, id));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("listing snapshots of " + name, e);
        }
    }

    /** Creates collection {@code target} from a snapshot of {@code name}, with the snapshot's settings. */
    @Override
    public synchronized LuceneCollection restore(String name, String snapshotId, String target) {
        Path snapshot = snapshotDir(name, snapshotId);
        try {
            CollectionSpec from = readSpec(snapshot.resolve(SPEC_FILE));
            CollectionSpec spec = new CollectionSpec(CollectionSpec.checkName(target), from.dimension(), from.metric(),
                    from.m(), from.efConstruction(), from.efSearch(), from.quantization());
            return install(spec, snapshot.resolve(INDEX_DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("restoring snapshot " + snapshotId + " of " + name, e);
        }
    }

    @Override
    public synchronized void deleteSnapshot(String name, String snapshotId) {
        Path snapshot = snapshotDir(name, snapshotId);
        Path trash = snapshot.resolveSibling(".deleting-" + snapshotId);
        try {
            Files.move(snapshot, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting snapshot " + snapshotId, e);
        }
        deleteTree(trash);
    }

    private Path snapshotDir(String name, String snapshotId) {
        CollectionSpec.checkName(name);
        SnapshotInfo.checkId(snapshotId);
        Path dir = dataDir.resolve(SNAPSHOTS_DIR).resolve(name).resolve(snapshotId);
        if (!Files.isDirectory(dir)) {
            throw ServiceException.notFound("collection '" + name + "' has no snapshot '" + snapshotId + "'");
        }
        return dir;
    }

    private SnapshotInfo describe(String name, String id) throws IOException {
        Path dir = dataDir.resolve(SNAPSHOTS_DIR).resolve(name).resolve(id);
        long bytes = 0;
        try (Stream<Path> files = Files.list(dir.resolve(INDEX_DIR))) {
            for (Path f : files.toList()) {
                bytes += Files.size(f);
            }
        }
        long points;
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir.resolve(INDEX_DIR));
                org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(d)) {
            points = reader.numDocs();
        }
        return new SnapshotInfo(name, id, SnapshotInfo.createdAt(id), points, bytes);
    }

    @Override
    public LuceneCollection get(String name) {
        CollectionSpec.checkName(name);
        LuceneCollection c = collections.get(name);
        if (c == null) {
            throw ServiceException.notFound("collection '" + name + "' does not exist");
        }
        return c;
    }

    @Override
    public List<LuceneCollection> list() {
        List<LuceneCollection> all = new ArrayList<>(collections.values());
        all.sort(Comparator.comparing(c -> c.spec().name()));
        return all;
    }

    @Override
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
                collections.put(name, new LuceneCollection(c.spec(), folder.resolve(INDEX_DIR), limits, commitPolicy));
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

    /** Removes half-taken or half-deleted snapshots (hidden folders) left by a crash. */
    private static void cleanSnapshotLeftovers(Path snapshots) throws IOException {
        try (Stream<Path> collectionsDirs = Files.list(snapshots)) {
            for (Path dir : collectionsDirs.toList()) {
                try (Stream<Path> children = Files.list(dir)) {
                    children.filter(p -> p.getFileName().toString().startsWith(".")).forEach(LuceneVectorStore::deleteTree);
                }
            }
        }
    }

    /** Copies a file and fsyncs the copy (the caller fsyncs the folder once all files are in). */
    static void copyDurably(Path from, Path to) throws IOException {
        Files.copy(from, to);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
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
