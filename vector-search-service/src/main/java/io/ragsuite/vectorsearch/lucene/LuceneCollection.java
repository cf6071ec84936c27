package io.ragsuite.vectorsearch.lucene;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.MetadataFilters;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.PointChecks;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.RankFusion;
import io.ragsuite.vectorsearch.core.ScoredPoint;
import io.ragsuite.vectorsearch.core.ScrollPage;
import io.ragsuite.vectorsearch.core.SearchQuery;
import io.ragsuite.vectorsearch.core.StoreLimits;
import io.ragsuite.vectorsearch.core.VectorCollection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * One collection: a Lucene index in its own folder. Reads go through a {@link SearcherManager} and never
 * block writes; every write call ends with a commit before it returns (see the package docs).
 */
public final class LuceneCollection implements VectorCollection, AutoCloseable {
    private final CollectionSpec spec;
    private final StoreLimits limits;
    private final Path indexDir;
    private final Directory directory;
    private final KnnVectorsFormat hnsw;
    /** Replaced only by {@link #reopenAfterFailure}, under the writer lock. */
    private volatile IndexWriter writer;
    private volatile SearcherManager searchers;
    private final Object writeLock = new Object();
    /** Readers and writers share it; only closing the collection takes it exclusively. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** Pins a commit point while a snapshot copies its files; replaced with the writer. */
    private volatile SnapshotDeletionPolicy commitPins;

    private final CommitPolicy commitPolicy;
    /**
     * Group commit: changes applied (written under writeLock, read anywhere), changes committed, and ranges
     * rolled back. Lock order is writeLock, then commitSignal; nothing takes writeLock while holding commitSignal.
     */
    private volatile long appliedGen;
    private volatile long committedGen;
    private final java.util.NavigableMap<Long, Long> lostGens = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Object commitSignal = new Object();
    private final Thread committer;

    LuceneCollection(CollectionSpec spec, Path indexDir, StoreLimits limits) throws IOException {
        this(spec, indexDir, limits, CommitPolicy.SYNC);
    }

    LuceneCollection(CollectionSpec spec, Path indexDir, StoreLimits limits, CommitPolicy commitPolicy)
            throws IOException {
        this.spec = spec;
        this.limits = limits;
        this.commitPolicy = commitPolicy;
        this.indexDir = indexDir;
        this.directory = FSDirectory.open(indexDir);
        this.hnsw = LuceneFormats.format(spec.quantization(), spec.m(), spec.efConstruction());
        openWriter();
        this.committer = commitPolicy.group()
                ? Thread.ofPlatform().daemon().name("group-commit-" + spec.name()).start(this::commitLoop)
                : null;
    }

    private void openWriter() throws IOException {
        IndexWriter w = newWriter();
        this.writer = w;
        this.searchers = new SearcherManager(w, null);
    }

    private IndexWriter newWriter() throws IOException {
        SnapshotDeletionPolicy pins = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
        this.commitPins = pins;
        IndexWriterConfig config = new IndexWriterConfig(LuceneQueries.ANALYZER)
                .setIndexDeletionPolicy(pins)
                // The per-field format name is written into each segment, so the default codec reads it back.
                .setCodec(new Lucene103Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return hnsw;
                    }
                })
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                // One file per index part (no compound files), so memory/disk per part is measurable and
                // the OS page cache holds just the parts searches touch (graph, quantized vectors).
                .setUseCompoundFile(false)
                .setMergePolicy(noCompoundFiles())
                .setCommitOnClose(false);
        IndexWriter w = new IndexWriter(directory, config);
        w.commit();
        return w;
    }

    private static org.apache.lucene.index.MergePolicy noCompoundFiles() {
        org.apache.lucene.index.TieredMergePolicy policy = new org.apache.lucene.index.TieredMergePolicy();
        policy.setNoCFSRatio(0.0);
        return policy;
    }

    @Override
    public CollectionSpec spec() {
        return spec;
    }

    @Override
    public long count() {
        return withSearcher(searcher -> (long) searcher.getIndexReader().numDocs());
    }

    /** Bytes the index takes on disk. */
    @Override
    public long diskBytes() {
        return read(() -> {
            long total = 0;
            for (String file : directory.listAll()) {
                try {
                    total += directory.fileLength(file);
                } catch (IOException e) {
                    // A file removed by a concurrent merge; it no longer counts.
                }
            }
            return total;
        });
    }

    /** Inserts or replaces points; durable when it returns. The whole batch is checked before anything is written. */
    @Override
    public int upsert(List<Point> points) {
        Require.size(points, 1, limits.maxBatch(), "points");
        List<Document> docs = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            docs.add(toDocument(points.get(i), "points[" + i + "]"));
        }
        return write(() -> {
            for (int i = 0; i < docs.size(); i++) {
                writer.updateDocument(new Term(LuceneQueries.ID, points.get(i).id()), docs.get(i));
            }
            return points.size();
        });
    }

    @Override
    public List<Point> get(List<String> ids, boolean withVectors) {
        Require.size(ids, 1, limits.maxBatch(), "ids");
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(idsQuery(ids), ids.size());
            return Arrays.asList(load(searcher, docIds(top), withVectors));
        });
    }

    @Override
    public long deleteIds(List<String> ids) {
        Require.size(ids, 1, limits.maxBatch(), "ids");
        return deleteMatching(idsQuery(ids));
    }

    @Override
    public long deleteMatching(MetadataFilter filter) {
        Query query = LuceneQueries.toQuery(filter);
        Require.that(query != null, "a delete filter must hold at least one condition");
        return deleteMatching(query);
    }

    private long deleteMatching(Query query) {
        return write(() -> {
            // The count and the delete must see the same documents: writes to one collection are
            // serialised by write(), and the searcher is refreshed before counting.
            searchers.maybeRefreshBlocking();
            IndexSearcher searcher = searchers.acquire();
            long n;
            try {
                n = searcher.count(query);
            } finally {
                searchers.release(searcher);
            }
            writer.deleteDocuments(query);
            return n;
        });
    }

    /**
     * Dense, BM25 or hybrid search (see {@link SearchQuery}), best first. Dense scores are in the metric's
     * terms, BM25 scores are Lucene's BM25, hybrid scores are the fused reciprocal-rank scores.
     */
    @Override
    public List<ScoredPoint> search(SearchQuery q) {
        int ef = q.checkedEfSearch(spec, limits);
        SearchQuery.Mode mode = q.effectiveMode();
        Query filterQuery = LuceneQueries.toQuery(q.filter());
        // A plain dense query (no filter, full-precision graph) goes straight to each segment's HNSW graph:
        // KnnFloatVectorQuery's rewrite, weight and collector add a fixed cost per query that, at the small ef
        // of recall 0.95, was a third of the query time (bench/vector-search/README.md); the answer is the same
        // (each segment's best ef by the graph, then the best topK of all).
        boolean direct = mode == SearchQuery.Mode.DENSE && filterQuery == null && spec.quantization() == Quantization.NONE;
        float[] vector = mode == SearchQuery.Mode.BM25 ? null : PointChecks.checkVector(q.vector(), spec, "vector");
        Query dense = null;
        if (mode != SearchQuery.Mode.BM25 && !direct) {
            int candidates = Math.max(ef, q.topK() * spec.quantization().oversample());
            Query knn = new KnnFloatVectorQuery(LuceneQueries.VECTOR, vector, candidates, filterQuery);
            // Quantized graphs rank by approximate scores; re-rank the candidates by the full-precision
            // vectors (kept by every quantized format) so results and their scores are exact.
            int keep = mode == SearchQuery.Mode.HYBRID ? Math.max(ef, q.topK()) : q.topK();
            dense = spec.quantization() == Quantization.NONE ? knn
                    : RescoreTopNQuery.createFullPrecisionRescorerQuery(knn, vector, LuceneQueries.VECTOR, keep);
        }
        Query bm25 = null;
        if (mode != SearchQuery.Mode.DENSE) {
            bm25 = LuceneQueries.textQuery(q.text(), filterQuery);
        }
        Query denseQuery = dense;
        Query textQuery = bm25;
        int window = Math.max(ef, q.topK());
        return withSearcher(searcher -> {
            List<Ranked> ranked = switch (mode) {
                case DENSE -> direct ? scored(nearest(searcher, vector, window, q.topK()), true)
                        : scored(searcher.search(denseQuery, q.topK()), true);
                // No term of the text in the index: nothing matches, which is an empty answer, not an error.
                case BM25 -> textQuery == null ? List.of() : scored(searcher.search(textQuery, q.topK()), false);
                // Lucene's own dense scores are "higher is better" for every metric (L2 too), as fusion needs.
                case HYBRID -> RankFusion.fuse(q.fusionMethod(), docs(searcher.search(denseQuery, window)),
                        textQuery == null ? List.of() : docs(searcher.search(textQuery, window)),
                        q.fusionDenseWeight(), q.fusionTextWeight(), q.topK())
                        .stream().map(f -> new Ranked(f.key(), f.score())).toList();
            };
            int kept = 0;
            while (kept < ranked.size() && !q.belowMinScore(ranked.get(kept).score(), spec.metric())) {
                kept++; // best first: once one misses, every later one misses too
            }
            int[] docs = new int[kept];
            for (int i = 0; i < kept; i++) {
                docs[i] = ranked.get(i).doc();
            }
            Point[] points = load(searcher, docs, q.withVectors());
            List<ScoredPoint> out = new ArrayList<>(kept);
            for (int i = 0; i < kept; i++) {
                out.add(new ScoredPoint(points[i], ranked.get(i).score()));
            }
            return out;
        });
    }

    /** The {@code topK} best of every segment's {@code candidates} nearest by its HNSW graph, top-level doc ids. */
    private static TopDocs nearest(IndexSearcher searcher, float[] vector, int candidates, int topK) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        TopDocs[] perLeaf = new TopDocs[leaves.size()];
        for (int i = 0; i < perLeaf.length; i++) {
            LeafReaderContext leaf = leaves.get(i);
            LeafReader reader = leaf.reader();
            TopDocs top = reader.searchNearestVectors(LuceneQueries.VECTOR, vector, candidates,
                    AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()), Integer.MAX_VALUE);
            for (ScoreDoc sd : top.scoreDocs) {
                sd.doc += leaf.docBase;
                sd.shardIndex = i;  // TopDocs.merge breaks score ties by it, as IndexSearcher's merge does
            }
            perLeaf[i] = top;
        }
        return perLeaf.length == 1 ? truncate(perLeaf[0], topK) : TopDocs.merge(topK, perLeaf);
    }

    private static TopDocs truncate(TopDocs top, int n) {
        return top.scoreDocs.length <= n ? top : new TopDocs(top.totalHits, Arrays.copyOf(top.scoreDocs, n));
    }

    private record Ranked(int doc, float score) {
    }

    private List<Ranked> scored(TopDocs top, boolean dense) {
        List<Ranked> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            out.add(new Ranked(sd.doc, dense ? LuceneFormats.fromLuceneScore(spec.metric(), sd.score) : sd.score));
        }
        return out;
    }

    private static List<RankFusion.Scored<Integer>> docs(TopDocs top) {
        List<RankFusion.Scored<Integer>> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            out.add(new RankFusion.Scored<>(sd.doc, sd.score));
        }
        return out;
    }

    /**
     * Copies the files of the last commit into {@code target} (created, fsync'd). Every acknowledged write
     * is in the last commit (a write is acknowledged only after its commit), and the commit point stays
     * pinned while the files are copied, so writes can go on meanwhile and the copy is consistent.
     */
    public void copyLastCommit(Path target) {
        read(() -> {
            SnapshotDeletionPolicy pins = commitPins;
            IndexCommit commit = pins.snapshot();
            try {
                Files.createDirectories(target);
                for (String file : commit.getFileNames()) {
                    LuceneVectorStore.copyDurably(indexDir.resolve(file), target.resolve(file));
                }
            } finally {
                pins.release(commit);
            }
            return null;
        });
    }

    /**
     * Merges every segment into one, rebuilding one HNSW graph (Lucene seeds it with the largest segment's
     * graph), then commits. Under the write path like any write, so it is durable when it returns; searches
     * go on against the old segments until the merged one is committed.
     */
    @Override
    public Optimized optimize() {
        long start = System.nanoTime();
        int before = segmentCount();
        write(() -> {
            writer.forceMerge(1);
            return null;
        });
        return new Optimized(before, segmentCount(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Segments in the searched index: each holds its own HNSW graph, and a search visits every one. */
    public int segmentCount() {
        return withSearcher(searcher -> searcher.getIndexReader().leaves().size());
    }

    /** Generation of the last commit point (one more per commit), for operators and tests. */
    public long commitGeneration() {
        return read(() -> org.apache.lucene.index.SegmentInfos.getLastCommitGeneration(directory));
    }

    /** Bytes on disk per part of the vector index: raw vectors, quantized vectors, graph, everything else. */
    @Override
    public Map<String, Long> bytesByPart() {
        return read(() -> {
            Map<String, Long> parts = new java.util.TreeMap<>();
            for (String file : directory.listAll()) {
                String part = partOf(file);
                try {
                    parts.merge(part, directory.fileLength(file), Long::sum);
                } catch (IOException e) {
                    // Removed by a concurrent merge; it no longer counts.
                }
            }
            return parts;
        });
    }

    /**
     * A search reads the graph and the vectors it is searched with (the quantized ones when quantized; raw
     * vectors are then read only for the few candidates rescored). Lucene maps them, so they need to fit in
     * the OS page cache, not the heap.
     */
    @Override
    public long searchMemoryBytes() {
        Map<String, Long> parts = bytesByPart();
        String vectors = spec.quantization() == Quantization.NONE ? "raw_vectors" : "quantized_vectors";
        return parts.getOrDefault("graph", 0L) + parts.getOrDefault(vectors, 0L);
    }

    /** Lucene file extensions: .vec raw floats, .veq scalar-quantized, .veb binary-quantized, .vex graph. */
    static String partOf(String file) {
        int dot = file.lastIndexOf('.');
        String ext = dot < 0 ? "" : file.substring(dot + 1);
        return switch (ext) {
            case "vec" -> "raw_vectors";
            case "veq", "veb" -> "quantized_vectors";
            case "vex" -> "graph";
            default -> "other";
        };
    }

    private Query idsQuery(List<String> ids) {
        for (String id : ids) {
            Require.nonBlank(id, "id");
        }
        return new TermInSetQuery(LuceneQueries.ID, ids.stream().map(BytesRef::new).toList());
    }

    private Document toDocument(Point p, String where) {
        float[] indexed = PointChecks.check(p, spec, limits, where);
        Document doc = new Document();
        doc.add(new StringField(LuceneQueries.ID, p.id(), Field.Store.NO));
        doc.add(new SortedDocValuesField(LuceneQueries.ID, new BytesRef(p.id())));  // scroll order
        doc.add(new KnnFloatVectorField(LuceneQueries.VECTOR, indexed, LuceneFormats.similarity(spec.metric())));
        // The vector as sent, for get/scroll/search with vectors (the graph holds the unit vector for cosine).
        // Doc values, not stored fields, for this and for id, text and metadata (PointPayload says why).
        doc.add(new BinaryDocValuesField(LuceneQueries.RAW_VECTOR, encode(p.vector())));
        doc.add(new BinaryDocValuesField(LuceneQueries.PAYLOAD, PointPayload.encode(p.id(), p.text(), p.metadata())));
        if (!p.text().isEmpty()) {
            doc.add(new TextField(LuceneQueries.TEXT_BM25, p.text(), Field.Store.NO));
        }
        for (Map.Entry<String, String> e : p.metadata().entrySet()) {
            String value = e.getValue();
            doc.add(new StringField(LuceneQueries.metaField(e.getKey()), value, Field.Store.NO));
            Double number = PointChecks.asNumber(value);
            if (number != null) {
                doc.add(new DoublePoint(LuceneQueries.NUMERIC_PREFIX + e.getKey(), number));
            }
        }
        return doc;
    }

    /** Points matching {@code filter} (all points for null). */
    @Override
    public long count(MetadataFilter filter) {
        Query query = LuceneQueries.toQuery(filter);
        return withSearcher(searcher -> (long) searcher.count(query == null ? new MatchAllDocsQuery() : query));
    }

    /**
     * One page of points matching {@code filter}, in id order, after {@code afterId} (null or empty: from the
     * start); {@code limit} 0 means {@link #DEFAULT_SCROLL_LIMIT}.
     */
    @Override
    public ScrollPage scroll(MetadataFilter filter, int limit, String afterId, boolean withVectors) {
        int pageSize = limit == 0 ? DEFAULT_SCROLL_LIMIT : Require.inRange(limit, 1, limits.maxBatch(), "limit");
        Query filterQuery = LuceneQueries.toQuery(filter);
        BooleanQuery.Builder q = new BooleanQuery.Builder()
                .add(afterId == null || afterId.isEmpty() ? new MatchAllDocsQuery()
                        : TermRangeQuery.newStringRange(LuceneQueries.ID, afterId, null, false, false),
                        BooleanClause.Occur.FILTER);
        if (filterQuery != null) {
            q.add(filterQuery, BooleanClause.Occur.FILTER);
        }
        Query query = q.build();
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(query, pageSize,
                    new Sort(new SortField(LuceneQueries.ID, SortField.Type.STRING)));
            return ScrollPage.of(Arrays.asList(load(searcher, docIds(top), withVectors)), pageSize);
        });
    }

    private static int[] docIds(TopDocs top) {
        int[] docs = new int[top.scoreDocs.length];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = top.scoreDocs[i].doc;
        }
        return docs;
    }

    /**
     * The points of top-level doc ids, in the order given: id, text and metadata from the payload doc value
     * (stored fields for points written before it), and the raw vector if asked. Doc values iterate forward
     * only, so the docs are visited in id order, each segment's iterators opened once.
     */
    private static Point[] load(IndexSearcher searcher, int[] docs, boolean withVectors) throws IOException {
        Point[] out = new Point[docs.length];
        Integer[] order = new Integer[docs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(docs[a], docs[b]));
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = null;
        BinaryDocValues payloads = null;
        BinaryDocValues vectors = null;
        StoredFields stored = null;  // only for points written before the payload doc value
        for (int i : order) {
            int doc = docs[i];
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                payloads = leaf.reader().getBinaryDocValues(LuceneQueries.PAYLOAD);
                vectors = withVectors ? leaf.reader().getBinaryDocValues(LuceneQueries.RAW_VECTOR) : null;
            }
            int leafDoc = doc - leaf.docBase;
            float[] vector = vectors != null && vectors.advanceExact(leafDoc) ? decode(vectors.binaryValue()) : null;
            if (payloads != null && payloads.advanceExact(leafDoc)) {
                PointPayload.Decoded p = PointPayload.decode(payloads.binaryValue());
                out[i] = new Point(p.id(), vector, p.text(), p.metadata());
            } else {
                if (stored == null) {
                    stored = searcher.storedFields();
                }
                Document document = stored.document(doc);
                if (withVectors && vector == null) {
                    BytesRef raw = document.getBinaryValue(LuceneQueries.RAW_VECTOR); // before doc values
                    vector = raw == null ? null : decode(raw);
                }
                out[i] = fromDocument(document, vector);
            }
        }
        return out;
    }

    private static Point fromDocument(Document doc, float[] vector) {
        Map<String, String> metadata = new HashMap<>();
        for (IndexableField f : doc.getFields()) {
            if (f.name().startsWith(LuceneQueries.META_PREFIX)) {
                metadata.put(f.name().substring(LuceneQueries.META_PREFIX.length()), f.stringValue());
            }
        }
        return new Point(doc.get(LuceneQueries.ID), vector, doc.get(LuceneQueries.TEXT), metadata);
    }

    private static BytesRef encode(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return new BytesRef(buf.array());
    }

    private static float[] decode(BytesRef bytes) {
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    @FunctionalInterface
    private interface SearchFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private <T> T read(IoSupplier<T> action) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return action.get();
        } catch (IOException e) {
            throw new ServiceException(ErrorKind.INTERNAL,
                    "collection '" + spec.name() + "': I/O error: " + e.getMessage(), e);
        } catch (AlreadyClosedException e) {
            // The writer was replaced after a failed write, or the collection is being deleted.
            throw ServiceException.unavailable("collection '" + spec.name() + "' is being reopened; retry", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private <T> T withSearcher(SearchFunction<T> action) {
        return read(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                return action.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        });
    }

    /** Runs a change, commits it (fsync) and makes it visible to searches, all before returning. */
    private <T> T write(IoSupplier<T> change) {
        if (commitPolicy.group()) {
            return writeGrouped(change);
        }
        return read(() -> {
            synchronized (writeLock) {
                try {
                    T result = change.get();
                    writer.commit();
                    searchers.maybeRefreshBlocking();
                    return result;
                } catch (IOException | RuntimeException e) {
                    reopenAfterFailure(e);
                    throw e;
                }
            }
        });
    }

    /** Applies the change now, then waits until the committer has made it durable (or lost it). */
    private <T> T writeGrouped(IoSupplier<T> change) {
        long[] gen = new long[1];
        T result = read(() -> {
            synchronized (writeLock) {
                try {
                    T r = change.get();
                    gen[0] = ++appliedGen;
                    return r;
                } catch (IOException | RuntimeException e) {
                    loseUncommitted(e);
                    throw e;
                }
            }
        });
        synchronized (commitSignal) {
            commitSignal.notifyAll();  // wake the committer
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                var lost = lostGens.floorEntry(gen[0]);
                if (lost != null && lost.getValue() >= gen[0]) {
                    throw new ServiceException(ErrorKind.INTERNAL, "collection '" + spec.name()
                            + "': the group commit holding this write failed; nothing of it was kept", null);
                }
                if (committedGen >= gen[0]) {
                    return result;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    throw ServiceException.unavailable("collection '" + spec.name()
                            + "': the write was not confirmed durable; it may or may not be kept", null);
                }
                try {
                    commitSignal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ServiceException.unavailable("interrupted while waiting for the commit", e);
                }
            }
        }
    }

    /** The group committer: waits for applied changes, lets more gather, commits them all at once. */
    private void commitLoop() {
        while (!closed) {
            try {
                synchronized (commitSignal) {
                    while (!closed && appliedGen <= committedGen) {
                        commitSignal.wait(1000);
                    }
                }
                if (closed) {
                    return;
                }
                Thread.sleep(commitPolicy.maxDelayMicros() / 1000, (int) (commitPolicy.maxDelayMicros() % 1000) * 1000);
                commitPending();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A failed commit already failed its writes (loseUncommitted); keep serving later ones.
            }
        }
    }

    /**
     * Under writeLock: commits every change applied and not yet committed and, when {@code refresh}, makes it
     * visible to searches; only then advances {@link #committedGen}, which acknowledges the waiting writes.
     */
    private void commitAppliedLocked(boolean refresh) throws IOException {
        long target = appliedGen;
        if (target <= committedGen) {
            return;
        }
        writer.commit();
        if (refresh) {
            searchers.maybeRefreshBlocking();
        }
        committedGen = target;
    }

    /** Commits every applied change; on failure the uncommitted ones are rolled back and their writers told. */
    private void commitPending() {
        read(() -> {
            synchronized (writeLock) {
                try {
                    commitAppliedLocked(true);
                } catch (IOException | RuntimeException e) {
                    loseUncommitted(e);
                    throw e;
                }
            }
            return null;
        });
        synchronized (commitSignal) {
            commitSignal.notifyAll();
        }
    }

    /** Under writeLock: rolls back everything not committed; the writes waiting for it will fail. */
    private void loseUncommitted(Exception cause) {
        if (appliedGen > committedGen) {
            lostGens.put(committedGen + 1, appliedGen);
            committedGen = appliedGen;  // nothing left to commit from before the rollback
        }
        reopenAfterFailure(cause);
        synchronized (commitSignal) {
            commitSignal.notifyAll();
        }
    }

    /**
     * Nothing of a failed change may survive into a later commit: roll the writer back to the last commit
     * (which closes it), open a fresh one on the same folder and only then retire the old searchers, so
     * searches keep working throughout. A failure to reopen is attached to the original one.
     */
    private void reopenAfterFailure(Exception cause) {
        SearcherManager old = searchers;
        try {
            if (writer.isOpen()) {
                writer.rollback();
            }
            IndexWriter fresh = newWriter();
            searchers = new SearcherManager(fresh, null);
            writer = fresh;
            old.close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw ServiceException.notFound("collection '" + spec.name() + "' was deleted");
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            if (commitPolicy.group() && writer.isOpen()) {
                // Make what waiting writers applied durable before closing, so they can be acknowledged.
                synchronized (writeLock) {
                    commitAppliedLocked(false);  // closing: no searches follow
                }
            }
            closed = true;
            if (committer != null) {
                committer.interrupt();
            }
            synchronized (commitSignal) {
                commitSignal.notifyAll();
            }
            searchers.close();
            if (writer.isOpen()) {
                writer.rollback();
            }
            directory.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
