package io.ragsuite.orchestrator.guard;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The cheap layer of the prompt-injection check: phrases that address the model's instructions (English and
 * Spanish), characters a reader cannot see (zero-width, bidi controls, Unicode tag characters used to smuggle
 * text), and chat-template role markers that try to start a new system or assistant turn.
 */
final class InjectionRules {
    private static final List<Pattern> PHRASES = List.of(
            p("\\b(ignore|disregard|forget|override|bypass|skip)\\b.{0,30}\\b(previous|prior|above|earlier|preceding|all|any|your|the|these|those)\\b.{0,30}\\b(instructions?|prompts?|rules?|directions?|guidelines?|context|messages?)\\b"),
            p("\\b(reveal|show|print|repeat|output|leak|tell me|display|write out|echo|quote)\\b.{0,40}\\b(system (prompt|message)|initial (prompt|instructions)|hidden (prompt|instructions)|your (full |whole |entire |initial |original |hidden )?(instructions|prompt|rules|guidelines|system message|configuration))\\b"),
            // Text that addresses the model reading it, the mark of an injection hidden in a document.
            p("\\b(note|message|instructions?|attention|hidden (note|instruction)s?)\\b,? (to|for) (any |the |all )?(ai|llms?|language models?|assistants?|chatbots?|bots?)\\b"),
            p("\\bif you are an? (ai|llm|language model|assistant|chatbot)\\b"),
            p("\\b(ai|llms?|language models?|assistants?|chatbots?|ai (systems|models)) (reading|processing|summari[sz]ing) this\\b"),
            p("\\b(attention|hey),? (ai|chatbot|assistant|llm)\\b"),
            p("\\b(what|everything|anything|instructions?|rules?) (you were|you've been|you have been) (told|given)\\b"),
            p("\\binstructions you (started with|received|were given|got)\\b"),
            p("\\b(drop|remove|lift|disable|turn off|suspend|removed|suspended|lifted)\\b.{0,25}\\b(restrictions|filters|safety|guidelines|content policy|rules)\\b"),
            p("\\byour (new|real|actual|only) (task|instructions?|job|role|rule)\\b"),
            p("\\b(previous|current|original|old) (task|instructions?) (is|are) (cancelled|canceled|over|void|wrong|replaced)\\b"),
            p("\\b(output|print|repeat|quote|copy) (everything|all|the text|the words|what is) (above|before)\\b"),
            p("\\byou are (now|no longer)\\b"),
            p("\\b(act|behave|respond|pretend|roleplay) (as|like|to be)\\b.{0,40}\\b(unrestricted|unfiltered|uncensored|jailbroken|evil|dan|no (rules|limits|restrictions))\\b"),
            p("\\b(developer|god|debug|admin|jailbreak|dan) mode\\b"),
            p("\\bnew (instructions|rules|task|system prompt)\\s*[:\\-]"),
            p("\\b(do anything now|without any (restrictions|filters|limitations)|no longer bound by)\\b"),
            p("\\bfrom now on\\b.{0,60}\\b(you|answer|respond|reply|ignore|only)\\b"),
            p("\\b(instead|rather),? (of answering|say|reply with|respond with|output)\\b"),
            p("\\b(ignora|olvida|omite|descarta)\\b.{0,30}\\b(las |tus |todas las )?(instrucciones|indicaciones|reglas|normas)\\b"),
            p("\\b(muestra|revela|repite|imprime)\\b.{0,30}\\b(prompt|instrucciones) (del sistema|iniciales|ocultas)\\b"),
            p("\\b(a partir de ahora|desde ahora)\\b.{0,60}\\b(eres|responde|ignora)\\b"));
    private static final List<Pattern> ROLE_MARKERS = List.of(
            Pattern.compile("<\\|(im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\\|>"),
            Pattern.compile("\\[/?INST]|<<\\/?SYS>>|</?s>"),
            Pattern.compile("(?im)^\\s*(#{1,4}\\s*)?(system|assistant|human|developer)\\s*(prompt)?\\s*:"),
            // A Markdown-style role header in the middle of a passage ("... ### System: ...").
            Pattern.compile("(?i)#{2,4}\\s*(system|assistant|instructions?)\\s*:"));

    private InjectionRules() {
    }

    private static Pattern p(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /** Why the text looks like an injection; empty when no rule fires. */
    static List<String> reasons(String text) {
        List<String> out = new ArrayList<>();
        int invisible = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (isInvisible(cp)) {
                invisible++;
            }
            i += Character.charCount(cp);
        }
        if (invisible > 0) {
            out.add("invisible characters (" + invisible + ")");
        }
        // Fold width variants and accents so "ｉｇｎｏｒｅ" or "ïgnore" read as "ignore"; drop the invisible ones.
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .codePoints().filter(cp -> !isInvisible(cp))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()
                .toLowerCase(Locale.ROOT);
        for (Pattern p : PHRASES) {
            if (p.matcher(folded).find()) {
                out.add("instruction override phrase");
                break;
            }
        }
        for (Pattern p : ROLE_MARKERS) {
            if (p.matcher(text).find()) {
                out.add("chat role marker");
                break;
            }
        }
        return out;
    }

    /** Zero-width and joiner characters, bidi embeddings and overrides, and the Unicode tag block. */
    static boolean isInvisible(int cp) {
        return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064)
                || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x00AD || (cp >= 0xE0000 && cp <= 0xE007F);
    }
}
