package io.ragsuite.generation.core;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every name a request may put in its {@code model} field: the base models (each with its own engine, slots and
 * waiting line) and their LoRA adapters, which are served under their own names as vLLM serves them. An
 * empty name selects the default model.
 */
public final class ModelRegistry implements AutoCloseable {
    private final String defaultModel;
    private final Map<String, GenerationScheduler> models;

    /** What a request's model name resolved to. */
    public record Target(GenerationScheduler scheduler, String adapter) {
        public String model() {
            return scheduler.engine().modelName();
        }
    }

    /** A name clients can select, with the base model it runs on ({@code parent} null for a base model). */
    public record Served(String name, String parent, String backend) {
    }

    /** @param models base models by name, the default among them */
    public ModelRegistry(String defaultModel, Map<String, GenerationScheduler> models) {
        if (!models.containsKey(defaultModel)) {
            throw new IllegalArgumentException("default model " + defaultModel + " is not among " + models.keySet());
        }
        this.defaultModel = defaultModel;
        this.models = new LinkedHashMap<>(models);
        List<String> names = new ArrayList<>(models.keySet());
        for (GenerationScheduler s : models.values()) {
            for (LoraAdapter a : s.engine().adapters()) {
                if (names.contains(a.name())) {
                    throw new IllegalArgumentException("the name '" + a.name() + "' is used twice among models and adapters");
                }
                names.add(a.name());
            }
        }
    }

    public GenerationScheduler defaultScheduler() {
        return models.get(defaultModel);
    }

    public String defaultModel() {
        return defaultModel;
    }

    public Map<String, GenerationScheduler> models() {
        return java.util.Collections.unmodifiableMap(models);
    }

    /** A base model's scheduler, or NOT_FOUND. */
    public GenerationScheduler scheduler(String model) {
        GenerationScheduler s = models.get(model);
        if (s == null) {
            throw ServiceException.notFound("unknown base model '" + model + "'; served: " + models.keySet());
        }
        return s;
    }

    /** Resolves a request's model field, or NOT_FOUND listing what is served. */
    public Target resolve(String name) {
        if (name == null || name.isBlank()) {
            return new Target(defaultScheduler(), null);
        }
        GenerationScheduler base = models.get(name);
        if (base != null) {
            return new Target(base, null);
        }
        for (GenerationScheduler s : models.values()) {
            if (s.engine().adapters().stream().anyMatch(a -> a.name().equals(name))) {
                return new Target(s, name);
            }
        }
        throw ServiceException.notFound("unknown model '" + name + "'; served: "
                + served().stream().map(Served::name).toList());
    }

    /** Base models first, each followed by its adapters. */
    public List<Served> served() {
        List<Served> out = new ArrayList<>();
        for (GenerationScheduler s : models.values()) {
            GenerationEngine e = s.engine();
            out.add(new Served(e.modelName(), null, e.backend()));
            for (LoraAdapter a : e.adapters()) {
                out.add(new Served(a.name(), e.modelName(), e.backend()));
            }
        }
        return out;
    }

    /** Adds an adapter to a base model; its name must be new among all served names. */
    public synchronized void addAdapter(String model, LoraAdapter adapter) throws Exception {
        GenerationScheduler s = scheduler(model);
        if (served().stream().anyMatch(x -> x.name().equals(adapter.name()))) {
            throw new ServiceException(ErrorKind.ALREADY_EXISTS, "the name '" + adapter.name() + "' is already served");
        }
        s.addAdapter(adapter);
    }

    /** Removes an adapter by name from whichever model holds it. */
    public synchronized String removeAdapter(String name) throws Exception {
        Target t = resolve(name);
        if (t.adapter() == null) {
            throw new ServiceException(ErrorKind.FAILED_PRECONDITION, "'" + name + "' is a base model, not an adapter");
        }
        t.scheduler().removeAdapter(name);
        return t.model();
    }

    @Override
    public void close() {
        models.values().forEach(GenerationScheduler::close);
    }
}
