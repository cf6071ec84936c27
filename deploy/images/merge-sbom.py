#!/usr/bin/env python3
"""Joins what is known about one image into a single CycloneDX SBOM (stdlib only).

Three sources, because no one tool here sees all of an image:
  --os    Trivy's CycloneDX of the image: the operating system and every Debian package in dpkg's status file
          (Trivy's own Java analysis needs its Java database, which cannot be downloaded here, so it is told
          to skip /opt/java and /work);
  --app   the Quarkus CycloneDX extension's SBOM of the application (target/quarkus-run-cyclonedx.json): every Java
          library with its Maven coordinates, hashes and licences, as Quarkus resolved them for the build;
  --jre-release  the jlinked Java runtime's `release` file (its vendor, version and modules).
  --model NAME=SHA256  optional: a model file baked into the image (CycloneDX machine-learning-model).
The image itself (Trivy's metadata.component, named by digest) stays the SBOM's subject.
"""
import argparse
import json
import sys
import uuid


def read_release(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                key, _, value = line.strip().partition("=")
                values[key] = value.strip('"')
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True, help="the image reference (name@digest)")
    parser.add_argument("--os", required=True, dest="os_sbom")
    parser.add_argument("--app", required=True, dest="app_sbom")
    parser.add_argument("--jre-release", required=True)
    parser.add_argument("--model", action="append", default=[], help="NAME=SHA256 of a model in the image")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    with open(args.os_sbom, encoding="utf-8") as f:
        os_bom = json.load(f)
    with open(args.app_sbom, encoding="utf-8") as f:
        app_bom = json.load(f)
    release = read_release(args.jre_release)

    components, seen = [], set()

    def add(component):
        ref = component.get("bom-ref") or component.get("purl") or f"{component['name']}@{component.get('version', '')}"
        if ref in seen:
            return
        seen.add(ref)
        component.setdefault("bom-ref", ref)
        components.append(component)

    for c in os_bom.get("components", []):
        add(c)
    jre_version = release.get("JAVA_VERSION", "unknown")
    add({
        "bom-ref": f"jre:{release.get('IMPLEMENTOR', 'unknown')}:{jre_version}",
        "type": "platform",
        "name": "java-runtime (jlink)",
        "version": jre_version,
        "supplier": {"name": release.get("IMPLEMENTOR", "unknown")},
        "description": "Java runtime made with jlink by deploy/images/build-base.sh, at /opt/java",
        "properties": [{"name": "rag-suite:jre:modules", "value": release.get("MODULES", "")},
                       {"name": "rag-suite:jre:implementor-version",
                        "value": release.get("IMPLEMENTOR_VERSION", "")}],
    })
    app = app_bom.get("metadata", {}).get("component")
    if app:
        app = dict(app)
        app["type"] = "application"
        add(app)
    for c in app_bom.get("components", []):
        add(c)
    for spec in args.model:
        name, _, sha = spec.partition("=")
        if len(sha) != 64:
            sys.exit(f"merge-sbom: --model {spec}: want NAME=SHA256")
        add({"bom-ref": f"model:{name}", "type": "machine-learning-model", "name": name,
             "hashes": [{"alg": "SHA-256", "content": sha}]})

    dependencies = os_bom.get("dependencies", []) + app_bom.get("dependencies", [])
    subject = os_bom.get("metadata", {}).get("component") or {"type": "container", "name": args.image}
    merged = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        # Deterministic for the same image digest, so a rerun attests the same document.
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, args.image)}",
        "version": 1,
        "metadata": {
            "timestamp": os_bom.get("metadata", {}).get("timestamp"),
            "tools": {"components": [
                {"type": "application", "name": "trivy", "description": "operating-system packages"},
                {"type": "application", "name": "quarkus-cyclonedx", "description": "Java libraries"},
                {"type": "application", "name": "deploy/images/merge-sbom.py"}]},
            "component": subject,
        },
        "components": components,
        "dependencies": [d for d in dependencies if d.get("ref") in seen or d.get("ref") == subject.get("bom-ref")],
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)


if __name__ == "__main__":
    main()
