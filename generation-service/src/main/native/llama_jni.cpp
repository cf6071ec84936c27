// The generation service's JNI binding of llama.cpp (the Java side is io.ragsuite.generation.core.LlamaNative).
//
// Why our own: the de.kherud:llama binding embeds a June-2025 llama.cpp whose CPU kernels multiply Q4_1
// weights by a batch of tokens one token at a time, so decoding 8 sequences together ran at 0.47x llama.cpp's
// own batched-bench (bench/generation/README.md), and its C++ sources are not published on Maven Central to
// rebuild. This file is deliberately thin: llama.cpp's C API (model, context, batch, KV memory, LoRA) and its
// "common" library's sampler (the chain and grammar handling llama.cpp's server uses) and JSON-schema-to-grammar
// converter, each exposed as one static native method. Scheduling (slots, continuous batching, prompt cache,
// stop strings, cancellation) is Java, in LlamaCppEngine, where it can be tested and read.
//
// Handles are pointers passed to Java as longs. Every entry point catches C++ exceptions and rethrows them as
// Java exceptions: IllegalArgumentException for bad input (a grammar or schema llama.cpp rejects),
// IllegalStateException for engine failures.
#include <jni.h>

#include "common.h"
#include "json-schema-to-grammar.h"
#include "json.h"
#include "llama.h"
#include "sampling.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Model {
    llama_model * model = nullptr;
    const llama_vocab * vocab = nullptr;
    std::vector<llama_adapter_lora *> adapters;
};

struct Context {
    llama_context * ctx = nullptr;
    Model * model = nullptr;
    llama_batch batch{};
    int capacity = 0;
};

struct bad_input : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void throw_java(JNIEnv * env, const char * cls, const std::string & message) {
    if (env->ExceptionCheck()) {
        return;
    }
    jclass c = env->FindClass(cls);
    if (c != nullptr) {
        env->ThrowNew(c, message.c_str());
    }
}

// Runs fn, turning C++ exceptions into Java ones; returns fallback when one was thrown.
template <typename T, typename F> T guarded(JNIEnv * env, T fallback, F fn) {
    try {
        return fn();
    } catch (const bad_input & e) {
        throw_java(env, "java/lang/IllegalArgumentException", e.what());
    } catch (const std::exception & e) {
        throw_java(env, "java/lang/IllegalStateException", std::string("llama.cpp: ") + e.what());
    } catch (...) {
        throw_java(env, "java/lang/IllegalStateException", "llama.cpp: unknown native error");
    }
    return fallback;
}

std::string utf8(JNIEnv * env, jstring s) {
    if (s == nullptr) {
        return {};
    }
    // GetStringUTFChars gives modified UTF-8 (a character outside the BMP as two 3-byte halves, which llama.cpp's
    // tokenizer would not recognise), so let Java encode: s.getBytes("UTF-8").
    jclass string_class = env->FindClass("java/lang/String");
    jmethodID get_bytes = env->GetMethodID(string_class, "getBytes", "(Ljava/lang/String;)[B");
    jstring charset = env->NewStringUTF("UTF-8");
    auto bytes = (jbyteArray) env->CallObjectMethod(s, get_bytes, charset);
    env->DeleteLocalRef(charset);
    if (env->ExceptionCheck() || bytes == nullptr) {
        throw std::runtime_error("cannot encode a Java string as UTF-8");
    }
    jsize n = env->GetArrayLength(bytes);
    std::string out(static_cast<size_t>(n), '\0');
    env->GetByteArrayRegion(bytes, 0, n, reinterpret_cast<jbyte *>(out.data()));
    env->DeleteLocalRef(bytes);
    return out;
}

jstring java_string(JNIEnv * env, const std::string & s) {
    // The reverse of utf8(): new String(bytes, "UTF-8"), which is exact for any valid UTF-8.
    jbyteArray bytes = env->NewByteArray(static_cast<jsize>(s.size()));
    env->SetByteArrayRegion(bytes, 0, static_cast<jsize>(s.size()), reinterpret_cast<const jbyte *>(s.data()));
    jclass string_class = env->FindClass("java/lang/String");
    jmethodID ctor = env->GetMethodID(string_class, "<init>", "([BLjava/lang/String;)V");
    jstring charset = env->NewStringUTF("UTF-8");
    auto out = (jstring) env->NewObject(string_class, ctor, bytes, charset);
    env->DeleteLocalRef(charset);
    env->DeleteLocalRef(bytes);
    return out;
}

jintArray java_ints(JNIEnv * env, const std::vector<llama_token> & v) {
    jintArray out = env->NewIntArray(static_cast<jsize>(v.size()));
    env->SetIntArrayRegion(out, 0, static_cast<jsize>(v.size()), v.data());
    return out;
}

std::vector<llama_token> native_ints(JNIEnv * env, jintArray a) {
    std::vector<llama_token> v(static_cast<size_t>(env->GetArrayLength(a)));
    env->GetIntArrayRegion(a, 0, static_cast<jsize>(v.size()), v.data());
    return v;
}

// llama.cpp and ggml log through this: warnings and errors go to the service's stderr, the chatty
// informational lines (one per tensor at load) are dropped.
void log_to_stderr(ggml_log_level level, const char * text, void *) {
    static thread_local ggml_log_level last = GGML_LOG_LEVEL_NONE;
    if (level == GGML_LOG_LEVEL_CONT) {
        level = last;  // a continuation of the previous line
    }
    last = level;
    if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) {
        std::fputs(text, stderr);
        std::fflush(stderr);
    }
}

Model * as_model(jlong h) {
    return reinterpret_cast<Model *>(h);
}

Context * as_context(jlong h) {
    return reinterpret_cast<Context *>(h);
}

}  // namespace

#define JNI_FN(ret, name) extern "C" JNIEXPORT ret JNICALL Java_io_ragsuite_generation_core_LlamaNative_##name

JNI_FN(void, init)(JNIEnv * env, jclass) {
    guarded<int>(env, 0, [&] {
        llama_log_set(log_to_stderr, nullptr);
        llama_backend_init();
        return 0;
    });
}

JNI_FN(jstring, systemInfo)(JNIEnv * env, jclass) {
    return guarded<jstring>(env, nullptr, [&] { return java_string(env, llama_print_system_info()); });
}

JNI_FN(jlong, loadModel)(JNIEnv * env, jclass, jstring path, jobjectArray lora_paths) {
    return guarded<jlong>(env, 0, [&] {
        llama_model_params params = llama_model_default_params();
        std::string file = utf8(env, path);
        llama_model * model = llama_model_load_from_file(file.c_str(), params);
        if (model == nullptr) {
            throw bad_input("llama.cpp could not load the model " + file + " (see the log above)");
        }
        auto * m = new Model();
        m->model = model;
        m->vocab = llama_model_get_vocab(model);
        jsize n = lora_paths == nullptr ? 0 : env->GetArrayLength(lora_paths);
        for (jsize i = 0; i < n; i++) {
            auto js = (jstring) env->GetObjectArrayElement(lora_paths, i);
            std::string lora = utf8(env, js);
            env->DeleteLocalRef(js);
            llama_adapter_lora * adapter = llama_adapter_lora_init(model, lora.c_str());
            if (adapter == nullptr) {
                llama_model_free(model);  // frees the adapters loaded so far with it
                delete m;
                throw bad_input("llama.cpp could not load the LoRA adapter " + lora + " (see the log above)");
            }
            m->adapters.push_back(adapter);
        }
        return reinterpret_cast<jlong>(m);
    });
}

JNI_FN(void, freeModel)(JNIEnv *, jclass, jlong handle) {
    Model * m = as_model(handle);
    llama_model_free(m->model);
    delete m;
}

JNI_FN(jlong, newContext)(JNIEnv * env, jclass, jlong model, jint n_ctx, jint n_seq, jint n_batch, jint threads,
                          jint threads_batch, jboolean flash_attention) {
    return guarded<jlong>(env, 0, [&] {
        Model * m = as_model(model);
        llama_context_params params = llama_context_default_params();
        params.n_ctx = static_cast<uint32_t>(n_ctx);
        params.n_batch = static_cast<uint32_t>(n_batch);
        params.n_ubatch = static_cast<uint32_t>(n_batch);
        params.n_seq_max = static_cast<uint32_t>(n_seq);
        params.n_threads = threads;
        params.n_threads_batch = threads_batch;
        params.flash_attn_type = flash_attention ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
        // One KV buffer per sequence (n_ctx / n_seq each): a sequence's attention reads only its own cache, and
        // what one slot holds cannot change another slot's greedy answer.
        params.kv_unified = false;
        params.no_perf = true;
        llama_context * ctx = llama_init_from_model(m->model, params);
        if (ctx == nullptr) {
            throw std::runtime_error("could not create a context of " + std::to_string(n_ctx) + " tokens");
        }
        auto * c = new Context();
        c->ctx = ctx;
        c->model = m;
        c->capacity = n_batch;
        c->batch = llama_batch_init(n_batch, 0, 1);
        return reinterpret_cast<jlong>(c);
    });
}

JNI_FN(void, freeContext)(JNIEnv *, jclass, jlong handle) {
    Context * c = as_context(handle);
    llama_batch_free(c->batch);
    llama_free(c->ctx);
    delete c;
}

JNI_FN(jint, contextSize)(JNIEnv *, jclass, jlong handle) {
    return static_cast<jint>(llama_n_ctx(as_context(handle)->ctx));
}

JNI_FN(jintArray, tokenize)(JNIEnv * env, jclass, jlong model, jstring text, jboolean add_special,
                            jboolean parse_special) {
    return guarded<jintArray>(env, nullptr, [&] {
        return java_ints(env, common_tokenize(as_model(model)->vocab, utf8(env, text), add_special, parse_special));
    });
}

// A token's text as raw bytes: one token may hold part of a multi-byte UTF-8 character, so Java joins the
// bytes of consecutive tokens before decoding. Control tokens (end of turn) give no text, as in llama.cpp's
// server.
JNI_FN(jbyteArray, piece)(JNIEnv * env, jclass, jlong model, jint token) {
    return guarded<jbyteArray>(env, nullptr, [&] {
        std::string piece = common_token_to_piece(as_model(model)->vocab, token, false);
        jbyteArray out = env->NewByteArray(static_cast<jsize>(piece.size()));
        env->SetByteArrayRegion(out, 0, static_cast<jsize>(piece.size()), reinterpret_cast<const jbyte *>(piece.data()));
        return out;
    });
}

JNI_FN(jboolean, isEndOfGeneration)(JNIEnv *, jclass, jlong model, jint token) {
    return llama_vocab_is_eog(as_model(model)->vocab, token);
}

// llama.cpp's built-in chat formatting with the model's own template name (for GGUFs whose Jinja template the
// Java side does not render); IllegalArgumentException when llama.cpp does not know the template.
JNI_FN(jstring, applyChatTemplate)(JNIEnv * env, jclass, jlong model, jobjectArray roles, jobjectArray contents) {
    return guarded<jstring>(env, nullptr, [&] {
        const char * tmpl = llama_model_chat_template(as_model(model)->model, nullptr);
        if (tmpl == nullptr) {
            tmpl = "chatml";  // llama.cpp's server falls back to ChatML for models without a template
        }
        jsize n = env->GetArrayLength(roles);
        std::vector<std::string> r(n), c(n);
        std::vector<llama_chat_message> messages(n);
        size_t total = 0;
        for (jsize i = 0; i < n; i++) {
            auto jr = (jstring) env->GetObjectArrayElement(roles, i);
            auto jc = (jstring) env->GetObjectArrayElement(contents, i);
            r[i] = utf8(env, jr);
            c[i] = utf8(env, jc);
            env->DeleteLocalRef(jr);
            env->DeleteLocalRef(jc);
            total += r[i].size() + c[i].size();
        }
        for (jsize i = 0; i < n; i++) {
            messages[i] = {r[i].c_str(), c[i].c_str()};
        }
        std::vector<char> buf(2 * total + 256);
        int32_t len = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, buf.data(), buf.size());
        if (len < 0) {
            throw bad_input("llama.cpp does not know this model's chat template");
        }
        if (static_cast<size_t>(len) > buf.size()) {
            buf.resize(len);
            len = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, buf.data(), buf.size());
        }
        return java_string(env, std::string(buf.data(), len));
    });
}

// llama.cpp's JSON-schema-to-GBNF converter, as its server applies to a request's "json_schema".
JNI_FN(jstring, schemaToGrammar)(JNIEnv * env, jclass, jstring schema) {
    return guarded<jstring>(env, nullptr, [&] {
        common_json parsed;
        try {
            parsed = common_json::parse(utf8(env, schema));
        } catch (const std::exception & e) {
            throw bad_input(std::string("json_schema is not valid JSON: ") + e.what());
        }
        if (parsed.is_object() && parsed.empty()) {
            parsed = common_json::parse("{\"type\":\"object\"}");  // an empty schema means any object (the server's rule)
        }
        try {
            return java_string(env, json_schema_to_grammar(parsed));
        } catch (const std::exception & e) {
            throw bad_input(std::string("llama.cpp cannot turn json_schema into a grammar: ") + e.what());
        }
    });
}

// A sampler with llama.cpp's server chain (penalties, top-k, top-p, min-p, temperature; greedy at temperature
// <= 0) and an optional GBNF grammar; IllegalArgumentException when llama.cpp cannot parse the grammar.
JNI_FN(jlong, newSampler)(JNIEnv * env, jclass, jlong model, jfloat temperature, jfloat top_p, jint top_k,
                          jfloat min_p, jfloat repeat_penalty, jlong seed, jstring grammar, jboolean ignore_eos) {
    return guarded<jlong>(env, 0, [&] {
        common_params_sampling params;
        params.temp = temperature;
        params.top_p = top_p;
        params.top_k = top_k;
        params.min_p = min_p;
        params.penalty_repeat = repeat_penalty;
        params.seed = seed < 0 ? LLAMA_DEFAULT_SEED : static_cast<uint32_t>(seed);
        params.ignore_eos = ignore_eos;
        params.no_perf = true;
        std::string g = utf8(env, grammar);
        if (!g.empty()) {
            params.grammar = common_grammar(COMMON_GRAMMAR_TYPE_USER, g);
        }
        if (ignore_eos) {
            // What llama.cpp's server does for ignore_eos: the end-of-generation tokens can never be sampled.
            for (llama_token t = 0; t < llama_vocab_n_tokens(as_model(model)->vocab); t++) {
                if (llama_vocab_is_eog(as_model(model)->vocab, t)) {
                    params.logit_bias.push_back({t, -INFINITY});
                }
            }
        }
        common_sampler * s = nullptr;
        try {
            s = common_sampler_init(as_model(model)->model, params);
        } catch (const std::exception & e) {
            // llama.cpp throws for a grammar it cannot parse (or build a sampler from): the request's fault.
            throw bad_input(std::string("llama.cpp could not use the grammar: ") + e.what());
        }
        if (s == nullptr) {
            throw bad_input(g.empty() ? "llama.cpp could not build the sampler"
                                      : "llama.cpp could not parse the grammar (see the log above)");
        }
        return reinterpret_cast<jlong>(s);
    });
}

JNI_FN(void, freeSampler)(JNIEnv *, jclass, jlong sampler) {
    common_sampler_free(reinterpret_cast<common_sampler *>(sampler));
}

// The prompt's tokens enter the sampler's history (for the repetition penalty), not its grammar.
JNI_FN(void, acceptPrompt)(JNIEnv * env, jclass, jlong sampler, jintArray tokens) {
    guarded<int>(env, 0, [&] {
        auto * s = reinterpret_cast<common_sampler *>(sampler);
        for (llama_token t : native_ints(env, tokens)) {
            common_sampler_accept(s, t, false);
        }
        return 0;
    });
}

// Samples the next token from the logits of batch row `index` of the last decode and accepts it.
JNI_FN(jint, sample)(JNIEnv * env, jclass, jlong sampler, jlong context, jint index) {
    return guarded<jint>(env, -1, [&] {
        auto * s = reinterpret_cast<common_sampler *>(sampler);
        llama_token t = common_sampler_sample(s, as_context(context)->ctx, index);
        common_sampler_accept(s, t, true);
        return static_cast<jint>(t);
    });
}

// One llama_decode of n tokens: token, position and sequence per row, logits for the rows marked. Returns
// llama_decode's status (0 ok, 1 no room in the KV cache, 2 aborted, < 0 error).
JNI_FN(jint, decode)(JNIEnv * env, jclass, jlong context, jint n, jintArray tokens, jintArray positions,
                     jintArray sequences, jbooleanArray logits) {
    return guarded<jint>(env, -1, [&] {
        Context * c = as_context(context);
        if (n <= 0 || n > c->capacity) {
            throw bad_input("a decode step of " + std::to_string(n) + " tokens (capacity " +
                            std::to_string(c->capacity) + ")");
        }
        llama_batch & b = c->batch;
        b.n_tokens = n;
        env->GetIntArrayRegion(tokens, 0, n, b.token);
        env->GetIntArrayRegion(positions, 0, n, b.pos);
        std::vector<jint> seq(n);
        std::vector<jboolean> out(n);
        env->GetIntArrayRegion(sequences, 0, n, seq.data());
        env->GetBooleanArrayRegion(logits, 0, n, out.data());
        for (int i = 0; i < n; i++) {
            b.n_seq_id[i] = 1;
            b.seq_id[i][0] = seq[i];
            b.logits[i] = out[i];
        }
        return static_cast<jint>(llama_decode(c->ctx, b));
    });
}

// Drops sequence seq's cached tokens at positions [p0, p1) (p1 < 0: to the end; p0 < 0: from the start).
JNI_FN(jboolean, removeTokens)(JNIEnv *, jclass, jlong context, jint seq, jint p0, jint p1) {
    return llama_memory_seq_rm(llama_get_memory(as_context(context)->ctx), seq, p0, p1);
}

// Sets every loaded adapter's scale for the next decodes (0 leaves that adapter out).
JNI_FN(void, setAdapterScales)(JNIEnv * env, jclass, jlong context, jfloatArray scales) {
    guarded<int>(env, 0, [&] {
        Context * c = as_context(context);
        jsize n = env->GetArrayLength(scales);
        if (static_cast<size_t>(n) != c->model->adapters.size()) {
            throw bad_input("expected " + std::to_string(c->model->adapters.size()) + " adapter scales, got " +
                            std::to_string(n));
        }
        std::vector<float> all(n);
        env->GetFloatArrayRegion(scales, 0, n, all.data());
        std::vector<llama_adapter_lora *> active;
        std::vector<float> active_scales;
        for (jsize i = 0; i < n; i++) {
            if (all[i] != 0.0f) {
                active.push_back(c->model->adapters[i]);
                active_scales.push_back(all[i]);
            }
        }
        if (llama_set_adapters_lora(c->ctx, active.empty() ? nullptr : active.data(), active.size(),
                                    active_scales.empty() ? nullptr : active_scales.data()) != 0) {
            throw std::runtime_error("llama.cpp could not apply the LoRA adapters");
        }
        return 0;
    });
}
