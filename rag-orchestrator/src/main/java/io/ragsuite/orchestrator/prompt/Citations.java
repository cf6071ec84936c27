package io.ragsuite.orchestrator.prompt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an answer cites: the passage markers it writes, {@code [2]}, {@code [1, 3]}, {@code [1][2]} or
 * {@code [2-4]}, read back from its text. The prompt asks the model to cite this way (see
 * {@link DefaultPromptBuilder}); a marker with no passage behind it (the model made up {@code [7]} for a prompt
 * of four passages) is not a citation.
 */
public final class Citations {
    /** A bracket of numbers separated by commas, or a range; spaces allowed. */
    private static final Pattern MARKER = Pattern.compile("\\[\\s*(\\d{1,3}(?:\\s*(?:,|-|\\u2013)\\s*\\d{1,3})*)\\s*]");
    /** The widest range read as one ({@code [1-999]} is not a citation of 999 passages). */
    private static final int MAX_RANGE = 20;

    private Citations() {
    }

    /**
     * The markers of {@code answer} that name one of {@code passages} (1 to {@code passages}), in order of first
     * use, each once.
     */
    public static List<Integer> markers(String answer, int passages) {
        Set<Integer> cited = new LinkedHashSet<>();
        Matcher m = MARKER.matcher(answer);
        while (m.find()) {
            for (String part : m.group(1).split("\\s*,\\s*")) {
                String[] bounds = part.split("\\s*[-\\u2013]\\s*");
                int from = Integer.parseInt(bounds[0]);
                int to = Integer.parseInt(bounds[bounds.length - 1]);
                if (to < from || to - from > MAX_RANGE) {
                    continue;
                }
                for (int n = from; n <= to; n++) {
                    if (n >= 1 && n <= passages) {
                        cited.add(n);
                    }
                }
            }
        }
        return new ArrayList<>(cited);
    }
}
