package io.ragsuite.generation.core;

import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a GBNF grammar (llama.cpp's grammar format) before it reaches the engine, with the rules of llama.cpp's
 * own parser (llama-grammar.cpp): rule names of letters, digits and '-', literals and character classes with
 * llama.cpp's escapes, groups, '.', the operators {@code * + ?} and {@code {m}, {m,}, {m,n}}, '#' comments,
 * newlines ending a rule except inside parentheses or after '|'; every referenced rule defined, a
 * {@code root} rule, no left recursion.
 *
 * <p>Written here because llama.cpp reports a grammar it cannot parse only as "failed to parse grammar" (the
 * reason goes to its log), and the llama.cpp of the binding we used before did not report it at all and sampled
 * unconstrained; this check names the problem and where it is, before the request is queued. No Java library
 * parses GBNF.
 */
public final class GbnfGrammar {
    private final String src;
    private int pos;
    /** Per rule, its alternatives; each alternative a list of items. */
    private final Map<String, List<List<Item>>> rules = new LinkedHashMap<>();
    private final List<String[]> references = new ArrayList<>();

    /** One element of a sequence. {@code ref} is a rule name, or null; {@code nested} a group's alternatives. */
    private record Item(String ref, List<List<Item>> nested, boolean nullable, int min) {
    }

    private GbnfGrammar(String src) {
        this.src = src;
    }

    /** Throws INVALID_ARGUMENT naming the problem and where it is. */
    public static void check(String grammar) {
        new GbnfGrammar(grammar).parse();
    }

    private ServiceException error(String what) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return ServiceException.invalid("grammar: " + what + " at line " + line + ", column " + col);
    }

    private boolean more() {
        return pos < src.length();
    }

    private char peek() {
        return src.charAt(pos);
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private void space(boolean newlineOk) {
        while (more()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '#' || (newlineOk && (c == '\r' || c == '\n'))) {
                if (c == '#') {
                    while (more() && peek() != '\r' && peek() != '\n') {
                        pos++;
                    }
                } else {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private String name() {
        int start = pos;
        while (more() && isWordChar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw error("expecting a rule name");
        }
        return src.substring(start, pos);
    }

    private void parse() {
        space(true);
        while (more()) {
            String rule = name();
            space(false);
            if (!src.startsWith("::=", pos)) {
                throw error("expecting ::= after rule name '" + rule + "'");
            }
            pos += 3;
            space(true);
            List<List<Item>> alternatives = alternates(rule, false);
            if (more()) {
                if (peek() == '\r') {
                    pos += src.startsWith("\r\n", pos) ? 2 : 1;
                } else if (peek() == '\n') {
                    pos++;
                } else {
                    throw error("expecting a newline or the end");
                }
            }
            // llama.cpp lets a later definition of the same name replace the earlier one.
            rules.put(rule, alternatives);
            space(true);
        }
        for (String[] ref : references) {
            if (!rules.containsKey(ref[0])) {
                throw ServiceException.invalid("grammar: rule '" + ref[1] + "' uses undefined rule '" + ref[0] + "'");
            }
        }
        if (!rules.containsKey("root")) {
            throw ServiceException.invalid("grammar: no 'root' rule (generation starts from root)");
        }
        leftRecursion();
    }

    private List<List<Item>> alternates(String rule, boolean nested) {
        List<List<Item>> out = new ArrayList<>();
        out.add(sequence(rule, nested));
        while (more() && peek() == '|') {
            pos++;
            space(true);
            out.add(sequence(rule, nested));
        }
        return out;
    }

    private List<Item> sequence(String rule, boolean nested) {
        List<Item> items = new ArrayList<>();
        while (more()) {
            char c = peek();
            Item item;
            if (c == '"') {
                pos++;
                int chars = 0;
                while (true) {
                    if (!more()) {
                        throw error("unexpected end of input in a literal");
                    }
                    if (peek() == '"') {
                        pos++;
                        break;
                    }
                    character();
                    chars++;
                }
                item = new Item(null, null, chars == 0, 0);
            } else if (c == '[') {
                pos++;
                if (more() && peek() == '^') {
                    pos++;
                }
                int chars = 0;
                while (true) {
                    if (!more()) {
                        throw error("unexpected end of input in a character class");
                    }
                    if (peek() == ']') {
                        pos++;
                        break;
                    }
                    character();
                    chars++;
                    if (more() && peek() == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                        pos++;
                        character();
                    }
                }
                item = new Item(null, null, false, 0);
            } else if (isWordChar(c)) {
                int start = pos;
                String ref = name();
                references.add(new String[] {ref, rule});
                pos = start + ref.length();
                item = new Item(ref, null, false, 0);
            } else if (c == '(') {
                pos++;
                space(true);
                List<List<Item>> group = alternates(rule, true);
                if (!more() || peek() != ')') {
                    throw error("expecting ')'");
                }
                pos++;
                item = new Item(null, group, false, 0);
            } else if (c == '.') {
                pos++;
                item = new Item(null, null, false, 0);
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                if (items.isEmpty()) {
                    throw error("expecting something before '" + c + "'");
                }
                Item last = items.remove(items.size() - 1);
                int min = repetition();
                items.add(new Item(last.ref(), last.nested(), last.nullable() || min == 0, min));
                space(nested);
                continue;
            } else {
                break;
            }
            items.add(item);
            space(nested);
        }
        return items;
    }

    /** Parses a repetition operator; returns its minimum count. */
    private int repetition() {
        char c = src.charAt(pos++);
        if (c == '*' || c == '?') {
            return 0;
        }
        if (c == '+') {
            return 1;
        }
        space(false);
        int min = number("a number after '{'");
        space(false);
        int max = min;
        if (more() && peek() == ',') {
            pos++;
            space(false);
            max = more() && Character.isDigit(peek()) ? number("a number") : Integer.MAX_VALUE;
            space(false);
        }
        if (!more() || peek() != '}') {
            throw error("expecting '}'");
        }
        pos++;
        if (max < min) {
            throw error("repetition {" + min + "," + max + "} has max < min");
        }
        return min;
    }

    private int number(String what) {
        int start = pos;
        while (more() && Character.isDigit(peek())) {
            pos++;
        }
        if (pos == start || pos - start > 6) {
            throw error("expecting " + what);
        }
        return Integer.parseInt(src.substring(start, pos));
    }

    /** One (possibly escaped) character of a literal or class. */
    private void character() {
        char c = src.charAt(pos);
        if (c != '\\') {
            pos++;
            return;
        }
        if (pos + 1 >= src.length()) {
            throw error("unexpected end of input after '\\'");
        }
        char e = src.charAt(pos + 1);
        int hex = switch (e) {
            case 'x' -> 2;
            case 'u' -> 4;
            case 'U' -> 8;
            case 't', 'r', 'n', '\\', '"', '[', ']' -> 0;
            default -> throw error("unknown escape '\\" + e + "'");
        };
        pos += 2;
        for (int i = 0; i < hex; i++) {
            if (!more() || Character.digit(peek(), 16) < 0) {
                throw error("expecting " + hex + " hex digits after '\\" + e + "'");
            }
            pos++;
        }
    }

    /** llama.cpp refuses grammars where a rule can reach itself without consuming input. */
    private void leftRecursion() {
        Map<String, Boolean> nullable = new HashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (var r : rules.entrySet()) {
                if (!nullable.getOrDefault(r.getKey(), false) && anyNullable(r.getValue(), nullable)) {
                    nullable.put(r.getKey(), true);
                    changed = true;
                }
            }
        }
        Map<String, Set<String>> leftmost = new HashMap<>();
        for (var r : rules.entrySet()) {
            Set<String> refs = new HashSet<>();
            collectLeftmost(r.getValue(), nullable, refs);
            leftmost.put(r.getKey(), refs);
        }
        Map<String, Integer> state = new HashMap<>();
        for (String rule : rules.keySet()) {
            visit(rule, leftmost, state);
        }
    }

    private void visit(String rule, Map<String, Set<String>> leftmost, Map<String, Integer> state) {
        Integer s = state.get(rule);
        if (s != null) {
            if (s == 1) {
                throw ServiceException.invalid("grammar: left recursion through rule '" + rule
                        + "', which llama.cpp does not support; rewrite it with repetition (x*)");
            }
            return;
        }
        state.put(rule, 1);
        for (String next : leftmost.getOrDefault(rule, Set.of())) {
            visit(next, leftmost, state);
        }
        state.put(rule, 2);
    }

    private static boolean anyNullable(List<List<Item>> alternatives, Map<String, Boolean> nullable) {
        for (List<Item> seq : alternatives) {
            if (seq.stream().allMatch(i -> itemNullable(i, nullable))) {
                return true;
            }
        }
        return false;
    }

    private static boolean itemNullable(Item i, Map<String, Boolean> nullable) {
        if (i.nullable()) {
            return true;
        }
        if (i.ref() != null) {
            return nullable.getOrDefault(i.ref(), false);
        }
        return i.nested() != null && anyNullable(i.nested(), nullable);
    }

    private static void collectLeftmost(List<List<Item>> alternatives, Map<String, Boolean> nullable, Set<String> out) {
        for (List<Item> seq : alternatives) {
            for (Item i : seq) {
                if (i.ref() != null) {
                    out.add(i.ref());
                } else if (i.nested() != null) {
                    collectLeftmost(i.nested(), nullable, out);
                }
                if (!itemNullable(i, nullable)) {
                    break;
                }
            }
        }
    }
}
