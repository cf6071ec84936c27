package io.ragsuite.generation.core;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template (the Jinja text a GGUF carries as {@code tokenizer.chat_template}), rendered the way
 * transformers' {@code apply_chat_template} does: {@code messages} as role/content maps,
 * {@code add_generation_prompt} true, trim_blocks and lstrip_blocks on. Jinjava does the Jinja; the goldens
 * check the result against Python's jinja2 for the shipped model.
 */
public final class ChatTemplate {
    private final String template;
    private final Jinjava jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
            .withFailOnUnknownTokens(false).build());

    public ChatTemplate(String template) {
        this.template = template;
    }

    /** The prompt text, or throws IllegalStateException naming the template error. */
    public String render(List<ChatTurn> turns) {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (ChatTurn t : turns) {
            messages.add(Map.of("role", t.role(), "content", t.content()));
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages);
        context.put("add_generation_prompt", true);
        context.put("bos_token", "");
        context.put("eos_token", "");
        RenderResult result = jinja.renderForResult(template, context);
        if (result.hasErrors()) {
            throw new IllegalStateException("chat template: " + result.getErrors().get(0).getMessage());
        }
        return result.getOutput();
    }
}
