// Validates Kubernetes objects (multi-document YAML on stdin, as `kubectl kustomize` prints them) against their
// JSON schemas: the built-in kinds from npm kubernetes-models, KEDA's and the Prometheus operator's from
// @kubernetes-models/keda and @kubernetes-models/prometheus-operator, anything else from schemas/ next to this
// file (<group>_<version>_<Kind>.json, e.g. serving.kserve.io_v1beta1_InferenceService.json). An object whose
// kind has no schema is an error: nothing is applied unchecked. Prints one line per problem; exits 1 if any.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import Ajv from "ajv";

const here = dirname(fileURLToPath(import.meta.url));
const schemas = process.env.RAG_DEPLOY_SCHEMAS || join(here, "schemas");
const label = process.argv[2] || "stdin";
// With a folder as third argument, every object is also written there as its own file (for Trivy, which reads
// one object per file most reliably): NNN-Kind-name.yaml.
const splitDir = process.argv[3];

/** The model module for an apiVersion and kind, or null when none of the packages has it. */
async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates = [];
  if (group === "keda.sh" || group === "eventing.keda.sh") {
    candidates.push(`@kubernetes-models/keda/${group}/${version}/${kind}`);
  } else if (group === "monitoring.coreos.com") {
    candidates.push(`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`);
  } else {
    candidates.push(`kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`);
  }
  for (const path of candidates) {
    try {
      const m = await import(path);
      return m[kind] || m.default;
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  return null;
}

const ajv = new Ajv({ allErrors: true, strict: false });
function ownSchema(apiVersion, kind) {
  const file = join(schemas, `${apiVersion.replace("/", "_")}_${kind}.json`);
  return existsSync(file) ? ajv.compile(JSON.parse(readFileSync(file, "utf8"))) : null;
}

const docs = parseAllDocuments(readFileSync(0, "utf8"));
const problems = [];
let checked = 0;
for (const doc of docs) {
  if (doc.errors.length) {
    problems.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const o = doc.toJS();
  if (!o) continue;
  const name = `${o.kind}/${o.metadata?.name ?? "?"}`;
  if (!o.apiVersion || !o.kind) {
    problems.push(`${name}: no apiVersion or kind`);
    continue;
  }
  if (splitDir) {
    mkdirSync(splitDir, { recursive: true });
    writeFileSync(join(splitDir, `${String(checked + problems.length).padStart(3, "0")}-${o.kind}-${o.metadata?.name ?? "x"}.yaml`), stringify(o));
  }
  const Model = await model(o.apiVersion, o.kind);
  try {
    if (Model) {
      new Model(o).validate();
    } else {
      const validate = ownSchema(o.apiVersion, o.kind);
      if (!validate) {
        problems.push(`${name}: no schema for ${o.apiVersion} ${o.kind}`);
        continue;
      }
      if (!validate(o)) throw new Error(ajv.errorsText(validate.errors));
    }
    checked++;
  } catch (e) {
    problems.push(`${name} (${o.apiVersion}): ${e.message.split("\n").slice(0, 6).join(" | ")}`);
  }
}
if (checked + problems.length === 0) problems.push("no objects at all");
for (const p of problems) console.log(`${label}: ${p}`);
console.log(`${label}: ${checked} objects valid, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
