package io.ragsuite.generation.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ServiceException;
import org.junit.jupiter.api.Test;

/** The GBNF checker accepts what llama.cpp's parser accepts and names what it would refuse. */
class GbnfGrammarTest {
    @Test
    void acceptsTheGrammarLanguage() {
        assertDoesNotThrow(() -> GbnfGrammar.check("root ::= \"yes\" | \"no\""));
        assertDoesNotThrow(() -> GbnfGrammar.check("""
                # a JSON-like value, multi-line inside parentheses
                root   ::= object
                object ::= "{" ws ( pair ( "," ws pair )* )? "}" ws
                pair   ::= string ":" ws value
                value  ::= object | string | number | ("true" | "false" | "null") ws
                string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" ["\\\\/bfnrt] )* "\\"" ws
                number ::= "-"? [0-9]+ ("." [0-9]{1,6})? ws
                ws     ::= [ \\t\\n]{0,20}
                """));
        assertDoesNotThrow(() -> GbnfGrammar.check("root ::= (\n  \"a\" |\n  \"b\"\n)+ [\\u00e9\\U0001F600] .{2,}"));
        assertDoesNotThrow(() -> GbnfGrammar.check("root ::= x\nx ::= \"1\"\nx ::= \"2\"  # redefined, as llama.cpp allows"));
    }

    @Test
    void refusesWhatLlamaCppCannotParse() {
        refused("root ::= (", "expecting ')'");
        refused("root ::= \"open", "end of input in a literal");
        refused("root ::= [a-", "end of input in a character class");
        refused("root = \"x\"", "expecting ::=");
        refused("root ::= other", "undefined rule 'other'");
        refused("start ::= \"x\"", "no 'root' rule");
        refused("root ::= root \"x\" | \"y\"", "left recursion");
        refused("root ::= a\na ::= b? root\nb ::= \"x\"", "left recursion");
        refused("root ::= \"\\q\"", "unknown escape");
        refused("root ::= \"\\x4\"", "hex digits");
        refused("root ::= * \"x\"", "before '*'");
        refused("root ::= \"x\"{3,1}", "max < min");
        refused("root ::= \"x\" )", "newline or the end");
        refused("root ::= \"a\"\n| \"b\"", "expecting a rule name");
    }

    private static void refused(String grammar, String message) {
        ServiceException e = assertThrows(ServiceException.class, () -> GbnfGrammar.check(grammar));
        assertTrue(e.getMessage().contains(message), grammar + " -> " + e.getMessage());
    }
}
