package io.ragsuite.vectorsearch.lucene;

import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.MetadataFilters;
import io.ragsuite.vectorsearch.core.PointChecks;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/** Field names of the index layout and the translation of metadata filters into Lucene queries. */
final class LuceneQueries {
    static final String ID = "_id";
    static final String VECTOR = "_vector";
    static final String RAW_VECTOR = "_raw_vector";
    /** Stored text of points written before {@link #PAYLOAD}; read only, never written. */
    static final String TEXT = "_text";
    /** Id, text and metadata of a point in one binary doc value ({@link PointPayload}). */
    static final String PAYLOAD = "_payload";
    /** The text again, analysed for BM25 (not stored). */
    static final String TEXT_BM25 = "_text_bm25";
    /** English stemming and stop words for BM25; the same analyser indexes and parses queries. */
    static final Analyzer ANALYZER = new EnglishAnalyzer();
    /** Metadata key k is indexed (for filters) as field "m." + k; points written before PAYLOAD also stored it there. */
    static final String META_PREFIX = "m.";
    /** A metadata value that parses as a number is also indexed as a point under "n." + key, for ranges. */
    static final String NUMERIC_PREFIX = "n.";

    private LuceneQueries() {
    }

    static String metaField(String key) {
        return META_PREFIX + PointChecks.checkKey(key);
    }

    /**
     * BM25 query for free text: the analysed terms of {@code text}, any of them matching (no query syntax, so
     * user text cannot inject operators), restricted by {@code filter}. Null when the text has no term left
     * after analysis (only stop words or punctuation).
     */
    static Query textQuery(String text, Query filter) {
        Query terms = new QueryBuilder(ANALYZER).createBooleanQuery(TEXT_BM25, text);
        if (terms == null) {
            return null;
        }
        if (filter == null) {
            return terms;
        }
        return new BooleanQuery.Builder().add(terms, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER)
                .build();
    }

    /** The query for a filter, or null when the filter accepts everything; INVALID_ARGUMENT if malformed. */
    static Query toQuery(MetadataFilter filter) {
        MetadataFilter checked = MetadataFilters.checked(filter);
        return checked == null ? null : build(checked);
    }

    private static Query build(MetadataFilter filter) {
        return switch (filter) {
            case MetadataFilter.Match match -> {
                String field = metaField(match.key());
                yield match.anyOf().size() == 1
                        ? new TermQuery(new Term(field, match.anyOf().iterator().next()))
                        : new TermInSetQuery(field, match.anyOf().stream().map(BytesRef::new).toList());
            }
            case MetadataFilter.Range range ->
                DoublePoint.newRangeQuery(NUMERIC_PREFIX + range.key(), range.lowerBound(), range.upperBound());
            case MetadataFilter.Bool bool -> {
                BooleanQuery.Builder q = new BooleanQuery.Builder();
                add(q, bool.must(), BooleanClause.Occur.FILTER);
                add(q, bool.mustNot(), BooleanClause.Occur.MUST_NOT);
                if (!bool.should().isEmpty()) {
                    BooleanQuery.Builder any = new BooleanQuery.Builder();
                    add(any, bool.should(), BooleanClause.Occur.SHOULD);
                    q.add(any.build(), BooleanClause.Occur.FILTER);
                }
                if (bool.must().isEmpty() && bool.should().isEmpty()) {
                    // A Lucene query of only MUST_NOT clauses matches nothing; start from everything.
                    q.add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
                }
                yield q.build();
            }
        };
    }

    private static void add(BooleanQuery.Builder q, List<MetadataFilter> filters, BooleanClause.Occur occur) {
        for (MetadataFilter f : filters) {
            q.add(build(f), occur);
        }
    }
}
