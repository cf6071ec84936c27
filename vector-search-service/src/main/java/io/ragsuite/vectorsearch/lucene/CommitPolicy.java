package io.ragsuite.vectorsearch.lucene;

/**
 * When a write is made durable, and so when it is acknowledged.
 *
 * <ul>
 *   <li>sync: each write request commits (fsync of the new segment files and the commit point) before it
 *       is acknowledged. Simplest; one fsync per request.
 *   <li>group: write requests apply their changes at once and wait; one committer commits everything
 *       applied so far at most {@code maxDelayMicros} after the first waiting write, then acknowledges all
 *       of them. Same promise (nothing is acknowledged before it is on disk), one fsync for many requests.
 *       If that commit fails, every write it covered fails and none of them survives.
 * </ul>
 *
 * @param group          group commit instead of sync
 * @param maxDelayMicros how long the committer lets writes gather before committing (group only)
 */
public record CommitPolicy(boolean group, long maxDelayMicros) {
    public static final CommitPolicy SYNC = new CommitPolicy(false, 0);

    public CommitPolicy {
        if (maxDelayMicros < 0 || maxDelayMicros > 10_000_000) {
            throw new IllegalArgumentException("group commit delay must be 0 to 10 s, got " + maxDelayMicros + " us");
        }
    }

    /** "sync" or "group". */
    public static CommitPolicy of(String name, long maxDelayMicros) {
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "sync" -> SYNC;
            case "group" -> new CommitPolicy(true, maxDelayMicros);
            default -> throw new IllegalArgumentException("commit policy must be sync or group, got '" + name + "'");
        };
    }
}
