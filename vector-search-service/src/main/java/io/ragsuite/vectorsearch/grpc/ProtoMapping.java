package io.ragsuite.vectorsearch.grpc;

import io.ragsuite.api.v1.CollectionInfo;
import io.ragsuite.api.v1.Condition;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.api.v1.HnswConfig;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.grpc.ProtoFloats;
import io.ragsuite.vectorsearch.core.VectorCollection;
import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.RankFusion;
import io.ragsuite.vectorsearch.core.SearchQuery;
import io.ragsuite.api.v1.SearchRequest;
import java.util.LinkedHashSet;
import java.util.List;

/** Translation between {@code rag.v1} messages and the store's domain types. */
final class ProtoMapping {
    private ProtoMapping() {
    }

    static Metric metric(io.ragsuite.api.v1.Metric m) {
        return switch (m) {
            case METRIC_UNSPECIFIED, COSINE -> Metric.COSINE;
            case DOT -> Metric.DOT;
            case L2 -> Metric.L2;
            case UNRECOGNIZED -> throw ServiceException.invalid("unknown metric");
        };
    }

    static io.ragsuite.api.v1.Metric metric(Metric m) {
        return switch (m) {
            case COSINE -> io.ragsuite.api.v1.Metric.COSINE;
            case DOT -> io.ragsuite.api.v1.Metric.DOT;
            case L2 -> io.ragsuite.api.v1.Metric.L2;
        };
    }

    static Quantization quantization(io.ragsuite.api.v1.Quantization q) {
        return switch (q) {
            case QUANTIZATION_UNSPECIFIED, QUANTIZATION_NONE -> Quantization.NONE;
            case QUANTIZATION_INT8 -> Quantization.INT8;
            case QUANTIZATION_INT4 -> Quantization.INT4;
            case QUANTIZATION_BINARY -> Quantization.BINARY;
            case UNRECOGNIZED -> throw ServiceException.invalid("unknown quantization");
        };
    }

    static io.ragsuite.api.v1.Quantization quantization(Quantization q) {
        return switch (q) {
            case NONE -> io.ragsuite.api.v1.Quantization.QUANTIZATION_NONE;
            case INT8 -> io.ragsuite.api.v1.Quantization.QUANTIZATION_INT8;
            case INT4 -> io.ragsuite.api.v1.Quantization.QUANTIZATION_INT4;
            case BINARY -> io.ragsuite.api.v1.Quantization.QUANTIZATION_BINARY;
        };
    }

    static SearchQuery query(SearchRequest r) {
        SearchQuery.Mode mode = switch (r.getMode()) {
            case SEARCH_MODE_UNSPECIFIED -> null;
            case SEARCH_MODE_DENSE -> SearchQuery.Mode.DENSE;
            case SEARCH_MODE_BM25 -> SearchQuery.Mode.BM25;
            case SEARCH_MODE_HYBRID -> SearchQuery.Mode.HYBRID;
            case UNRECOGNIZED -> throw ServiceException.invalid("unknown search mode");
        };
        return new SearchQuery(r.getVectorCount() == 0 ? null : ProtoFloats.toArray(r.getVectorList()), r.getText(),
                r.getTopK(), r.hasFilter() ? filter(r.getFilter()) : null, r.getWithVectors(), r.getEfSearch(),
                r.hasMinScore() ? r.getMinScore() : null, mode, r.getDenseWeight(), r.getBm25Weight(), fusion(r.getFusion()));
    }

    static RankFusion.Fusion fusion(io.ragsuite.api.v1.Fusion f) {
        return switch (f) {
            case FUSION_UNSPECIFIED -> null;
            case FUSION_RRF -> RankFusion.Fusion.RRF;
            case FUSION_RELATIVE_SCORE -> RankFusion.Fusion.RELATIVE_SCORE;
            case FUSION_DBSF -> RankFusion.Fusion.DBSF;
            case UNRECOGNIZED -> throw ServiceException.invalid("unknown fusion");
        };
    }

    static io.ragsuite.api.v1.SnapshotInfo snapshot(io.ragsuite.vectorsearch.core.SnapshotInfo s) {
        return io.ragsuite.api.v1.SnapshotInfo.newBuilder().setCollection(s.collection()).setSnapshot(s.id())
                .setCreatedAt(s.createdAt().toString()).setPointCount(s.pointCount()).setSizeBytes(s.sizeBytes()).build();
    }

    static CollectionInfo info(VectorCollection c) {
        return CollectionInfo.newBuilder().setName(c.spec().name()).setDimension(c.spec().dimension())
                .setMetric(metric(c.spec().metric()))
                .setHnsw(HnswConfig.newBuilder().setM(c.spec().m()).setEfConstruction(c.spec().efConstruction())
                        .setEfSearch(c.spec().efSearch()))
                .setQuantization(quantization(c.spec().quantization()))
                .setPointCount(c.count()).build();
    }

    static Point point(io.ragsuite.api.v1.Point p) {
        return new Point(p.getId(), ProtoFloats.toArray(p.getVectorList()), p.getText(), p.getMetadataMap());
    }

    static io.ragsuite.api.v1.Point point(Point p) {
        io.ragsuite.api.v1.Point.Builder b = io.ragsuite.api.v1.Point.newBuilder().setId(p.id()).setText(p.text())
                .putAllMetadata(p.metadata());
        if (p.vector() != null) {
            for (float v : p.vector()) {
                b.addVector(v);
            }
        }
        return b.build();
    }

    static MetadataFilter filter(Filter f) {
        return new MetadataFilter.Bool(conditions(f.getMustList()), conditions(f.getShouldList()),
                conditions(f.getMustNotList()));
    }

    private static List<MetadataFilter> conditions(List<Condition> conditions) {
        return conditions.stream().map(ProtoMapping::condition).toList();
    }

    private static MetadataFilter condition(Condition c) {
        return switch (c.getConditionCase()) {
            case MATCH -> new MetadataFilter.Match(c.getMatch().getKey(), new LinkedHashSet<>(c.getMatch().getAnyOfList()));
            case FILTER -> filter(c.getFilter());
            case RANGE -> {
                var r = c.getRange();
                yield new MetadataFilter.Range(r.getKey(), r.hasGte() ? r.getGte() : null, r.hasGt() ? r.getGt() : null,
                        r.hasLte() ? r.getLte() : null, r.hasLt() ? r.getLt() : null);
            }
            case CONDITION_NOT_SET -> throw ServiceException.invalid("a filter condition must set 'match', 'range' or 'filter'");
        };
    }
}
