package io.ragsuite.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What `kubectl apply -k` gets: deploy/base holds exactly what the build generated, every kustomization renders
 * and validates against the JSON schemas (deploy/validate-manifests.sh), and the rendered objects follow the rules below (our own policy checks: Pod Security Standards "restricted",
 * probes, requests and limits, no service-account token, selectors that select their own pods, network
 * policies that select something).
 */
class DeployManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = E2eSupport.repoRoot();

    @Test
    void deployBaseHoldsWhatTheBuildGenerated() throws IOException {
        for (String service : LaunchedSuite.SERVICES) {
            Path built = ROOT.resolve(service).resolve("target/kubernetes/kubernetes.yml");
            Path copy = ROOT.resolve("deploy/base/generated").resolve(service + ".yml");
            assertTrue(Files.isRegularFile(built), built + " missing; run ./mvnw package first");
            // Compared as objects: the build does not keep the order of labels from one run to the next.
            assertEquals(parse(Files.readAllBytes(built)), parse(Files.readAllBytes(copy)),
                    copy + " is stale: run scripts/sync-manifests.sh after ./mvnw package and commit the result");
        }
    }

    /** deploy/validate-manifests.sh: every kustomization renders, every object matches its JSON schema, Trivy finds nothing. */
    @Test
    void everyRenderedObjectMatchesItsSchema() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("deploy/validate-manifests.sh").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "deploy/validate-manifests.sh did not finish");
        assertEquals(0, p.exitValue(), "deploy/validate-manifests.sh:\n" + out);
        assertTrue(out.contains("base: ") && out.contains(" 0 problems"), out);
        assertTrue(out.contains("base: trivy config: 0 findings"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/jobs/ingest", "deploy/overlays/gpu", "deploy/overlays/keda",
            "deploy/overlays/kserve", "deploy/overlays/monitoring", "deploy/overlays/pgvector", "deploy/overlays/vllm"})
    void rendersAndFollowsThePolicies(String kustomization) throws Exception {
        List<JsonNode> objects = render(kustomization);
        assertFalse(objects.isEmpty(), kustomization + " rendered nothing");
        List<String> problems = new ArrayList<>();
        List<JsonNode> podTemplates = new ArrayList<>();
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            String name = kind + "/" + o.path("metadata").path("name").asText();
            JsonNode template = switch (kind) {
                case "Deployment", "StatefulSet", "Job" -> o.path("spec").path("template");
                // KServe makes the pods from the predictor, with the InferenceService's labels.
                case "InferenceService" -> YAML.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("metadata",
                        YAML.createObjectNode().set("labels", o.path("metadata").path("labels")))
                        .set("spec", o.path("spec").path("predictor"));
                default -> null;
            };
            if (template == null) {
                continue;
            }
            podTemplates.add(template);
            if (!kind.equals("Job") && !kind.equals("InferenceService")) {
                JsonNode selector = o.path("spec").path("selector").path("matchLabels");
                if (selector.isEmpty() || !matches(selector, template.path("metadata").path("labels"))) {
                    problems.add(name + ": selector " + selector + " does not select its own pods");
                }
            }
            checkPod(name, template.path("spec"), !kind.equals("Job"), problems);
        }
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("NetworkPolicy")) {
                JsonNode selector = o.path("spec").path("podSelector").path("matchLabels");
                if (!selector.isEmpty() && podTemplates.stream().noneMatch(t -> matches(selector, t.path("metadata").path("labels")))) {
                    problems.add("NetworkPolicy/" + o.path("metadata").path("name").asText() + " selects no pod: " + selector);
                }
            }
        }
        assertTrue(problems.isEmpty(), kustomization + ":\n  " + String.join("\n  ", problems));
    }

    private static void checkPod(String name, JsonNode pod, boolean longRunning, List<String> problems) {
        if (!pod.path("automountServiceAccountToken").isBoolean() || pod.path("automountServiceAccountToken").asBoolean()) {
            problems.add(name + ": automountServiceAccountToken must be false");
        }
        JsonNode podSecurity = pod.path("securityContext");
        if (!podSecurity.path("runAsNonRoot").asBoolean()) {
            problems.add(name + ": runAsNonRoot must be true");
        }
        // Non-root groups (what Trivy's KSV116 means to check; its build here reports every object, see
        // deploy/manifest-schemas/trivyignore): a primary group, and fsGroup when set, above 0.
        if (podSecurity.path("runAsGroup").asInt(0) <= 0) {
            problems.add(name + ": runAsGroup must be set above 0");
        }
        if (podSecurity.has("fsGroup") && podSecurity.path("fsGroup").asInt(0) <= 0) {
            problems.add(name + ": fsGroup must be above 0");
        }
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        int initContainers = containers.size();
        pod.path("containers").forEach(containers::add);
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            boolean init = i < initContainers;
            String where = name + (init ? " init container " : " container ") + c.path("name").asText();
            JsonNode sc = c.path("securityContext");
            if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
                problems.add(where + ": allowPrivilegeEscalation must be false");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean()) {
                problems.add(where + ": readOnlyRootFilesystem must be true");
            }
            if (!sc.path("capabilities").path("drop").toString().contains("\"ALL\"")) {
                problems.add(where + ": capabilities must drop ALL");
            }
            String seccomp = sc.path("seccompProfile").path("type").asText(podSecurity.path("seccompProfile").path("type").asText());
            if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
                problems.add(where + ": seccompProfile must be RuntimeDefault (pod or container)");
            }
            for (String r : List.of("requests", "limits")) {
                for (String unit : List.of("cpu", "memory")) {
                    if (c.path("resources").path(r).path(unit).isMissingNode()) {
                        problems.add(where + ": resources." + r + "." + unit + " missing");
                    }
                }
            }
            if (longRunning && !init) {
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    if (c.path(probe).isMissingNode()) {
                        problems.add(where + ": " + probe + " missing");
                    }
                }
            }
            if (c.path("image").asText().endsWith(":latest") || !c.path("image").asText().contains(":")) {
                problems.add(where + ": image must have a fixed tag, not " + c.path("image").asText());
            }
        }
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /** What `kubectl apply -k DIR` would apply (deploy/render.sh), read as a list of objects. */
    private static List<JsonNode> render(String kustomization) throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("deploy/render.sh").toString(),
                ROOT.resolve(kustomization).toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS) && p.exitValue() == 0, "deploy/render.sh " + kustomization + ": " + err);
        return parse(out);
    }

    /** The objects of a multi-document YAML file. */
    private static List<JsonNode> parse(byte[] out) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(n -> {
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    objects.add(n);
                }
            });
        }
        return objects;
    }
}
