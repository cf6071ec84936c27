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
            p("\\b(ignore|disregard|forget|override|bypass|skip)\\b.{0,30}\\b(previous|prior|above|earlier|preceding|all|any|your|the|these|those)\\b.{0,30}\\b(instructions?|prompts?|rules?(?! of thumb)|directions?|guidelines?|context|messages?)\\b"),
            p("\\b(reveal|show|print|repeat|output|leak|tell me|display|write out|echo|quote|share|copy|paste|give me|send|translate|summari[sz]e|describe|enumerate|dump|disclose|divulge|expose)\\b.{0,40}\\b(system (prompt|message)|initial (prompt|instructions)|hidden (prompt|instructions)|your (full |whole |entire |initial |original |hidden |raw |internal |exact |complete |real |secret |setup )?(instructions|prompt|rules|guidelines|system message|configuration))\\b"),
            // Text that addresses the model reading it, the mark of an injection hidden in a document.
            p("\\b(note|message|instructions?|attention|reminder|hidden (note|instruction)s?)\\b,? (to|for) (any |the |all )?(ai|llms?|language models?|models?|assistants?|chatbots?|bots?|retrieval systems?|search systems?|rankers?|summari[sz]ers?|crawlers?|agents?)\\b"),
            p("\\bif you are an? (ai|llm|language model|assistant|chatbot)\\b"),
            p("\\b(ai|llms?|language models?|assistants?|chatbots?|ai (systems|models)) (reading|processing|summari[sz]ing) this\\b"),
            p("\\b(attention|hey),? (ai|chatbot|assistant|llm)\\b"),
            p("\\b(what|everything|anything|instructions?|rules?) (you were|you've been|you have been) (told|given)\\b"),
            p("\\binstructions you (started with|received|were given|got)\\b"),
            p("\\b(drop|remove|lift|disable|turn off|suspend|removed|suspended|lifted)\\b.{0,25}\\b(restrictions|filters|safety|guidelines|content policy|rules)\\b"),
            p("\\b(your|ur) (new|real|actual|only) (task|instructions?|job|role|rule|purpose)\\b"),
            p("\\b(everything|anything|whatever|all) (u|you) (were|was|have been|got) (told|given|instructed)\\b"),
            p("\\b(previous|current|original|old) (task|instructions?) (is|are) (cancelled|canceled|over|void|wrong|replaced)\\b"),
            p("\\b(output|print|repeat|quote|copy) (everything|all|the text|the words|what is) (above|before)\\b"),
            p("\\byou are (now|no longer)\\b"),
            p("\\b(act|behave|respond|pretend|roleplay) (as|like|to be)\\b.{0,40}\\b(unrestricted|unfiltered|uncensored|jailbroken|evil|dan|no (rules|limits|restrictions))\\b"),
            // A mode switched on for the model, not a mode a user asks how to enable in their software.
            p("\\b(developer|god|debug|admin|jailbreak|dan|maintenance|unrestricted|sudo) mode (is )?(now )?(enabled|activated|engaged|unlocked)\\b"),
            p("\\b(enter|activate|switch (to|into)|go into)\\b.{0,10}\\b(developer|god|jailbreak|dan|maintenance|unrestricted|sudo) mode\\b.{0,60}\\b(you|your|prompt|instructions|rules|echo|print|reveal)\\b"),
            // Requests for what the model holds: its instructions, configuration, environment, keys.
            p("\\b(print|show|list|dump|reveal|output|display|echo|give|tell|share|return|leak|paste|expose|send)\\b.{0,50}\\b(environment variables?|env vars?|api[ _-]?keys?|secrets?|credentials|access tokens?|tokens you|passwords? you|configuration|config|setup|instructions|system prompt|prompt)\\b.{0,40}\\b(you (can see|have|hold|know|were (given|configured|told))|your (environment|context|memory|session|config))\\b"),
            p("\\b(value|contents?) of\\b.{0,30}\\b(in|from) your (environment|context|config|configuration|memory|system prompt)\\b"),
            p("\\b(print|show|list|dump|reveal|output|display|echo|repeat|give me)\\b.{0,15}\\b(your (instructions|configuration|config|setup|secrets|guidelines|rules|directives)|the (hidden|initial|original|secret|system|internal|raw) (instructions|prompt|rules|configuration))\\b"),
            p("\\b(everything|all|whatever) you (were|have been) (configured|set up|programmed|instructed|primed) with\\b"),
            p("\\b(the )?(prompt|instructions|rules) you (were|have been) given\\b"),
            p("\\bwhat (the|your) (operator|developer|creator|admin|owner|system)s? (told|instructed|asked) you\\b"),
            // Output hijacks: a fixed reply instead of an answer.
            p("(?<!\\b(will|would|can|may|shall|should|to|it|that|which|they|then|server|tool|host) )\\b(respond|reply|answer|say|output|print|write)\\b.{0,30}\\b(only|exactly|nothing but|just)\\b.{0,12}\\b(with|the word|the phrase|the string)\\b"),
            p("\\b(respond|reply|answer|say|output)\\b.{0,20}\\b(exactly|only)\\b\\s*[\"'‘“«]"),
            p("\\b(say|reply|respond|answer|output)\\b.{0,40}\\band nothing else\\b"),
            p("\\b(from this point on|from here on|for the rest of (this|the) (conversation|session|chat)|henceforth)\\b"),
            // Fake system or admin turns written into a question or a passage.
            p("\\b(system|admin|administrator|developer|security|root) (override|notice|directive|command)\\b\\s*([:!\\-\\]#]|(is )?(now )?(activated|enabled|engaged|in effect|granted|accepted))"),
            p("\\[\\s*(system|admin|administrator|developer|sys|root|override)[^\\]]{0,20}\\].{0,80}\\b(you|your|assistant|ai|model|ignore|disregard|must now|reveal|share|respond|reply|new (policy|instructions?|rules?)|instructions)\\b"),
            p("</?\\s*(system|sys|admin|instructions?)\\s*>"),
            p("\\b(safety|content|security) (policies|policy|filters?|rules|guardrails) (are|is) (now )?(disabled|off|suspended|lifted|removed)\\b"),
            p("\\bnew (system )?(policy|message|instructions?|directive)s? (in effect|follows?|from (the )?(admin|system|developer))\\b"),
            p("\\b(end|start) of (the )?(document|context|text|input|file|data|passage|content|excerpt)\\b.{0,80}\\b(new|system|assistant|instructions?|from now on|ignore|you must|respond|reply)\\b"),
            p("\\bnew (system|assistant|developer) (message|turn|prompt)\\b"),
            p("<!--.{0,200}?\\b(assistant|ai|model|llm|chatbot|ignore|instructions?|reply|respond)\\b"),
            // Smuggling out what the model holds: encoded, or in a link the client will fetch.
            p("\\b(encode|convert|translate|write|output|print|put|return|render)\\b.{0,50}\\b(prompt|instructions|context|system message|configuration|secrets?|conversation|chat history)\\b.{0,40}\\b(base64|base-64|rot13|rot-13|hex|hexadecimal|binary|morse|url|link|image)\\b"),
            p("\\b(base64|rot13|hex)\\b.{0,40}\\b(your|the) (system prompt|instructions|context|prompt|configuration|secrets?)\\b"),
            p("!\\[[^\\]]{0,40}\\]\\(\\s*https?://[^)\\s]*[?&][a-z_]+=[^)\\s]*\\)?"),
            p("\\b(append|add|include|attach|put)\\b.{0,60}\\bto (the |this )?(url|link|https?://)"),
            // Addressing the model that reads the passage.
            p("\\b(ai|assistant|model|llm|chatbot|bot)s?,? (when|if|while|as|before) you (summari[sz]e|read|process|answer|respond|reply)\\b"),
            p("\\b(tell|ask|instruct|urge|direct) (the )?(readers?|users?|visitors?)\\b.{0,70}\\b(visit|go to|click|open|download|enter|send|provide|run|install|execute|migrate|switch)\\b"),
            p("\\b(whatever|everything|anything|all) (you were|you've been|you have been) told\\b"),
            p("\\b(obey only me|only obey me|listen only to me)\\b"),
            p("\\b(ignore|disregard|forget|skip)\\b.{0,20}\\b(the |these |those |all )?(retrieved |provided |above |given )?(documents?|passages?|sources|context|search results)\\b"),
            p("\\bpretend (there are|you have|that there are|you had) no (rules|restrictions|limits|guidelines|guardrails|filters)\\b"),
            p("\\bwithout (any )?(guardrails|rules|restrictions|filters|limitations|safety)\\b"),
            p("\\byou'?re (now |no longer )?(dan|an? (unrestricted|unfiltered|jailbroken))\\b"),
            p("\\b(what is|what's|whats|what are|what were|what was) your (system prompt|system message|initial (prompt|instructions)|"
                    + "original (prompt|instructions)|hidden (prompt|instructions)|first instructions|instructions|prompt)\\b"),
            p("\\b(api[ _-]?keys?|secret[ _]?keys?|credentials?|passwords?|access tokens?|tokens?)\\b.{0,20}\\b(this|that|the) (service|server|app|bot|"
                    + "system|assistant|model|chatbot) (uses?|has|is using|holds|calls)\\b"),
            p("\\b(env(ironment)? var(iable)?s?|secret_key|api[ _-]?key|credentials?)\\b.{0,40}\\byou('re| are) (running|using|configured|started)\\b"),
            p("\\b(credentials?|tokens?|passwords?|secrets?|api[ _-]?keys?|keys)\\b.{0,40}\\b(in|from|inside|within) your (context|context window|"
                    + "memory|prompt|environment|config|configuration|instructions|system prompt)\\b"),
            p("\\bwith no (guidelines|rules|restrictions|limits|filters|guardrails)\\b"),
            p("\\b(context|prompt|instructions|conversation|messages?|text) you (were|have been|got) (given|sent|fed|shown)\\b"),
            p("\\b(?!ignor(ed|es|ing)\\b)ig\\w{3,5}\\b.{0,20}\\b(prev|prio)\\w*\\b.{0,20}\\b(inst|prom|rul)\\w*"),
            p("\\b(ur|your|yr) (sys\\w*|sytem|sistem) (pro?mp?t\\w*)\\b"),
            p("\\b(admin|administrator|developer|operator|owner|boss|dev team)s? (said|says|allowed|approved|authori[sz]ed|permitted)\\b.{0,40}\\b(you|it'?s (fine|ok|okay))\\b"),
            p("\\b(first|last) \\d+ (tokens|words|characters|lines|sentences) of your (context|prompt|instructions|system)\\b"),
            p("\\b(everything|all|whatever|the text) (that )?(comes|came|appears|is|was) (before|above) (my|this|the user'?s?) (message|question|prompt)\\b"),
            p("\\bif an? (ai|llm|language model|assistant|chatbot|model|bot) is (reading|processing|summari[sz]ing|parsing|answering)\\b"),
            p("\\bstop following (your|the) (system prompt|instructions|rules|guidelines)\\b"),
            p("\\bto (the|any|all) (ai|llm|assistant|model|chatbot|bot)s? (answering|reading|processing|summari[sz]ing|that reads)\\b"),
            p("\\b(nota|mensaje|instrucciones?|aviso) (para|al|a la) (el |la )?(asistente|modelo|ia|bot|chatbot)\\b"),
            p("\\b(ignora|olvida|omite)\\b.{0,20}\\b(la pregunta|la consulta|el contexto|los documentos)\\b"),
            p("\\bresponde (unicamente|solo|solamente|exclusivamente)\\b"),
            // Claims of authority that license the model to break its rules.
            p("\\b(admin|administrator|manager|boss|owners?|developers?|security team|company|my team|ceo)\\b.{0,25}\\b(approved|signed off|sanctioned|authori[sz]ed|allowed|permitted|said it'?s (fine|ok|okay))\\b.{0,60}\\b(you|your|restrictions|rules|instructions|prompt)\\b"),
            p("\\bi('m| am) (authori[sz]ed|allowed|cleared|permitted|entitled) to (see|view|access|read|get|know)\\b"),
            p("\\byou are (required|obligated|ordered|instructed|authori[sz]ed|allowed) to (comply|obey|answer|disclose|reveal|share|show|ignore|skip)\\b"),
            p("(?<!\\b(not|never|cannot|can't|doesn't|don't|won't|to) )\\b(set aside|put aside|drop|lift|relax|suspend|skip|bypass|waive|ignore)\\b.{0,30}\\b(constraints|restrictions|guardrails|limits|policies|filters)\\b"),
            p("\\b(api[ _-]?keys?|secret[ _]?keys?|credentials?|passwords?|tokens?)\\b.{0,10}\\b(u|you) (use|used|have|hold|call)\\b"),
            // A standing behaviour planted for later questions.
            p("\\b(whenever|every time|each time|if ever) (anyone|someone|somebody|a user|the user|users|people|a customer|customers)\\b.{0,40}\\b(asks?|mentions?|queries|requests?|says?)\\b.{0,80}\\b(say|tell|answer|reply|respond|claim|state)\\b"),
            p("\\bwhatever (the )?(documents?|context|passages|sources|retrieved text) (say|says)\\b"),
            p("\\bregardless of (what|whatever) (the user|the question|they|anyone|users?|the reader)\\b"),
            p("\\b(mode) (on|activated|enabled)\\s*[.!,:]"),
            p("\\b(with|has|have|having) (zero|no) (restrictions|rules|limits|filters|guidelines|guardrails|morals|ethics)\\b"),
            p("\\b(act as|pretend to be|simulate|emulate|behave like)\\b.{0,20}\\b(terminal|shell|console|command line|linux box|root user)\\b"),
            p("\\b(rot13|rot-13|base64|base-64|hex[- ]?encode|url-encode)\\b (it|them|that|this)\\b"),
            p("\\b(url|link|query string|parameter|src)\\b.{0,30}\\b(contains?|containing|with|includes?|including|holding)\\b.{0,20}\\byour (hidden |system |full |internal |raw )?(instructions|prompt|context|conversation|system prompt)\\b"),
            p("\\b(place|rank|put|list|show|keep) this (document|page|passage|result|article|source) (first|at the top|above|higher)\\b"),
            // The model addressed by name with an order ("Assistant, regardless of ...", "# llm_directive: ...").
            p("\\b(assistant|ai|llm|chatbot)s?,\\s+(regardless|no matter|whatever|always|never|ignore|answer|reply|respond|tell|say|do not|don't)\\b"),
            p("[\"'#]?\\s*\\b(ai|llm|assistant|model|bot|agent)[_-](instructions?|directives?|prompt|note|rules?)\\b[\"']?\\s*[:=]"),
            p("\\b(assistant|ai|llm|model)\\s*\\((updated|new|revised|override)[^)]{0,20}\\)\\s*:"),
            p("#\\s*(assistant|ai|llm)\\s*:"),
            p("\\b(always|just|simply) (tell|inform|advise) (the )?(users?|readers?|customers?)\\b"),
            p("\\b(ahora eres|ahora seras|a partir de ahora seras)\\b"),
            p("\\bsin (reglas|restricciones|filtros|limites)\\b"),
            p("\\b(revela|muestra|dime|imprime|ensename)\\b.{0,30}\\b(configuracion|variables de entorno|prompt|instrucciones|claves?)\\b"),
            // German and French.
            p("\\b(ignoriere|vergiss|missachte)\\b.{0,30}\\b(anweisungen|regeln|vorgaben|instruktionen)\\b"),
            p("\\b(gib|zeig|zeige)\\b.{0,30}\\b(systemprompt|system-prompt|anweisungen)\\b"),
            p("\\b(ignore|oublie|oubliez|ignorez)\\b.{0,30}\\b(tes|vos|les|toutes les) (instructions|consignes|regles)\\b"),
            p("\\b(affiche|montre|revele|repete)\\b.{0,30}\\b(prompt|instructions|consignes)\\b"),
            p("\\bnew (instructions?|rules?|task|system prompt)\\s*[:\\-]"),
            p("\\bevery (answer|reply|response|message) (you give |you write )?(must|should|has to|shall) (start|begin|end|open) with\\b"),
            p("\\b(do anything now|without any (restrictions|filters|limitations)|no longer bound by)\\b"),
            p("\\bfrom now on\\b.{0,60}\\b(you|answer|respond|reply|ignore|only)\\b"),
            p("\\b(instead|rather),? (of answering|say|reply with|respond with|output)\\b"),
            p("\\b(ignora|olvida|omite|descarta)\\b.{0,30}\\b(las |tus |todas las )?(instrucciones|indicaciones|reglas|normas)\\b"),
            p("\\b(muestra|revela|repite|imprime)\\b.{0,30}\\b(prompt|instrucciones) (del sistema|iniciales|ocultas)\\b"),
            p("\\b(a partir de ahora|desde ahora)\\b.{0,60}\\b(eres|responde|ignora)\\b"));
    private static final List<Pattern> ROLE_MARKERS = List.of(
            Pattern.compile("<\\|im_start\\|>\\s*(system|assistant|user)|<\\|(system|assistant|eot_id|start_header_id)\\|>"),
            Pattern.compile("\\[/?INST]|<<\\/?SYS>>|</?s>"),
            // At the start of a line, a role label followed by words aimed at the model (a log line "SYSTEM: disk full"
            // is not one).
            Pattern.compile("(?im)^\\s*(#{1,4}\\s*)?(system|assistant|human|developer)\\s*(prompt)?\\s*:.{0,80}\\b(you|your|ignore|disregard|"
                    + "forget|must|respond|reply|answer|instructions?|from now on|new|reveal|print|policy|rules?)\\b"),
            // A Markdown-style role header in the middle of a passage ("... ### System: ...").
            Pattern.compile("(?i)#{2,4}\\s*(system|assistant|instructions?)\\s*:"),
            // A role label that opens a sentence in the middle of a passage ("... disk. Assistant: disregard ...").
            Pattern.compile("(?<=[.!?]\\s{1,3})(System|Assistant|SYSTEM|ASSISTANT|AI)\\s*:"));

    /** The reason given for invisible characters, which no classifier score overrules. */
    static final String INVISIBLE = "invisible characters";

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
            out.add(INVISIBLE + " (" + invisible + ")");
        }
        // Fold width variants and accents so "ｉｇｎｏｒｅ" or "ïgnore" read as "ignore"; drop the invisible ones.
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .codePoints().filter(cp -> !isInvisible(cp))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()
                .toLowerCase(Locale.ROOT);
        // A question that quotes an attack to ask about it ("what does 'ignore previous instructions' mean?") is
        // not one: the quoted words are left out of the phrase check of questions.
        String checked = isQuestion(folded) ? QUOTED.matcher(folded).replaceAll("\"…\"") : folded;
        for (Pattern p : PHRASES) {
            if (p.matcher(checked).find()) {
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

    private static final Pattern QUOTED = Pattern.compile("<!--.{0,200}?-->|(?<![\\p{L}\\d])'[^']{3,120}'(?![\\p{L}\\d])|\"[^\"]{3,120}\"|‘[^’]{3,120}’|“[^”]{3,120}”|«[^»]{3,120}»");
    private static final Pattern QUESTION_START = Pattern.compile("^\\s*(what|why|how|when|where|which|who|is|are|does|do|can|could|should|explain|describe)\\b");

    /** A question about something, by its ending or its first word. */
    static boolean isQuestion(String folded) {
        return folded.strip().endsWith("?") || QUESTION_START.matcher(folded).find();
    }

    /** Zero-width and joiner characters, bidi embeddings and overrides, and the Unicode tag block. */
    static boolean isInvisible(int cp) {
        return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064)
                || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x00AD || (cp >= 0xE0000 && cp <= 0xE007F);
    }
}
