package io.ragsuite.vectorsearch.core;

/** How vectors are compared; scores returned to clients are always in the metric's own terms. */
public enum Metric {
    /** Cosine similarity in [-1, 1], higher is closer. */
    COSINE,
    /** Raw inner product, higher is closer. */
    DOT,
    /** Euclidean distance, lower is closer. */
    L2
}
