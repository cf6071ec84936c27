#!/usr/bin/env python3
"""Ingests every document under a folder into the orchestrator: the batch path of the suite.

Run as `./rag ingest DIR` on a laptop and as the Kubernetes Job next to this file (the Job mounts this very
file from a ConfigMap; it needs nothing beyond the Python standard library, so a stock python image runs it).

.txt, .md/.markdown, .html/.htm and .pdf files are each uploaded as they are (PUT /v1/documents/{id}; the
orchestrator extracts the text), the id being the file's path under DIR with '/' written as '__'.

Progress: a progress bar on a terminal, one log line per file otherwise (Job logs), and, when
RAG_INGEST_PUSHGATEWAY is set, the counts pushed to a Prometheus Pushgateway (the way Prometheus collects
metrics from batch jobs) as rag_ingest_files{outcome=...} and rag_ingest_files_found, at most every
RAG_INGEST_PUSH_SECONDS (5) and once at the end.

Resumable: each stored file is appended with its SHA-256 to a state file (flushed and fsync'd before the next
file), so a run that crashed or was stopped picks up where it left off and unchanged files are skipped on later
runs. Re-uploading an id replaces that document, so a file uploaded twice (a crash between upload and record)
is still stored once.

    ingest.py DIR [--url URL] [--state FILE]
    URL:  default http://127.0.0.1:$RAG_ORCHESTRATOR_PORT (8080); RAG_API_KEY, when set, is sent as a Bearer key
    FILE: default $RAG_RUN_DIR/ingest-state/<hash of DIR>.tsv (RAG_RUN_DIR: .rag in the repository)
"""
import argparse
import hashlib
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CONTENT_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
                 ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf"}


def die(message):
    print(f"ingest: error: {message}", file=sys.stderr)
    sys.exit(2)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Pushgateway:
    """Pushes the run's counts to a Pushgateway group job=<job>, instance=<instance> (replaced on every push)."""

    def __init__(self, url, job, instance, every_seconds):
        self.url = f"{url.rstrip('/')}/metrics/job/{urllib.parse.quote(job, safe='')}" \
                   f"/instance/{urllib.parse.quote(instance, safe='')}"
        self.every = every_seconds
        self.last = 0.0
        self.warned = False

    def push(self, found, counts, final=False):
        now = time.time()
        if not final and now - self.last < self.every:
            return
        self.last = now
        lines = ["# TYPE rag_ingest_files gauge"]
        lines += [f'rag_ingest_files{{outcome="{k}"}} {v}' for k, v in sorted(counts.items())]
        lines += ["# TYPE rag_ingest_files_found gauge", f"rag_ingest_files_found {found}",
                  "# TYPE rag_ingest_finished gauge", f"rag_ingest_finished {1 if final else 0}",
                  "# TYPE rag_ingest_last_update_seconds gauge", f"rag_ingest_last_update_seconds {now:.3f}", ""]
        request = urllib.request.Request(self.url, data="\n".join(lines).encode(), method="PUT",
                                         headers={"Content-Type": "text/plain; version=0.0.4"})
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except (urllib.error.URLError, OSError) as e:
            if not self.warned:  # progress metrics are best effort: the ingestion goes on
                print(f"ingest: warning: cannot push metrics to {self.url}: {e}", file=sys.stderr)
                self.warned = True


def main():
    parser = argparse.ArgumentParser(prog="ingest", description="Upload every document under DIR (resumable).")
    parser.add_argument("dir")
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RAG_ORCHESTRATOR_PORT', '8080')}")
    parser.add_argument("--state")
    args = parser.parse_args()

    folder = Path(args.dir).resolve()
    if not folder.is_dir():
        die(f"{args.dir} is not a folder")
    url = args.url.rstrip("/")
    state = Path(args.state) if args.state else Path(
        os.environ.get("RAG_RUN_DIR", Path(__file__).resolve().parents[3] / ".rag")) / "ingest-state" / (
        hashlib.sha256(str(folder).encode()).hexdigest()[:16] + ".tsv")
    state.parent.mkdir(parents=True, exist_ok=True)
    state.touch()
    done = set(state.read_text(encoding="utf-8").splitlines())

    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in CONTENT_TYPES)
    if not files:
        die(f"no .txt, .md, .html or .pdf files under {folder}")
    headers = {}
    if os.environ.get("RAG_API_KEY"):
        headers["Authorization"] = "Bearer " + os.environ["RAG_API_KEY"]
    try:
        urllib.request.urlopen(urllib.request.Request(url + "/q/health/ready", headers=headers), timeout=5).read()
    except (urllib.error.URLError, OSError) as e:
        die(f"the orchestrator at {url} is not ready ({e}); ./rag up starts it")

    gateway = None
    if os.environ.get("RAG_INGEST_PUSHGATEWAY"):
        gateway = Pushgateway(os.environ["RAG_INGEST_PUSHGATEWAY"], os.environ.get("RAG_INGEST_JOB_NAME", "rag-ingest"),
                              os.environ.get("RAG_INGEST_INSTANCE", folder.name or "root"),
                              float(os.environ.get("RAG_INGEST_PUSH_SECONDS", "5")))
    tty = sys.stderr.isatty()
    counts = {"stored": 0, "unchanged": 0, "failed": 0}
    with open(state, "a", encoding="utf-8") as record:
        for i, path in enumerate(files, 1):
            rel = path.relative_to(folder).as_posix()
            doc_id = rel.replace("/", "__")
            entry = f"{doc_id}\t{sha256(path)}"
            if entry in done:
                outcome = "unchanged"
            else:
                request = urllib.request.Request(f"{url}/v1/documents/{urllib.parse.quote(doc_id, safe='')}",
                                                 data=path.read_bytes(), method="PUT",
                                                 headers={**headers, "Content-Type": CONTENT_TYPES[path.suffix.lower()]})
                try:
                    with urllib.request.urlopen(request, timeout=600) as reply:
                        status, body = reply.status, ""
                except urllib.error.HTTPError as e:
                    status, body = e.code, e.read(300).decode("utf-8", "replace")
                except (urllib.error.URLError, OSError) as e:
                    status, body = 0, str(e)
                if status == 201:
                    record.write(entry + "\n")
                    record.flush()
                    os.fsync(record.fileno())
                    outcome = "stored"
                else:
                    outcome = f"FAILED (HTTP {status:03d}: {body.strip()})"
            counts["failed" if outcome.startswith("FAILED") else outcome] += 1
            if tty:
                filled = i * 30 // len(files)
                print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {i}/{len(files)} {rel[:40]:<40}", end="", file=sys.stderr)
                if outcome.startswith("FAILED"):
                    print(f"\n{rel}: {outcome}", file=sys.stderr)
            else:
                print(f"ingest: {i}/{len(files)} {outcome} {rel}", file=sys.stderr, flush=True)
            if gateway:
                gateway.push(len(files), counts)
    if tty:
        print(file=sys.stderr)
    if gateway:
        gateway.push(len(files), counts, final=True)
    print(f"ingest: ingested {counts['stored']}, skipped {counts['unchanged']} (unchanged), "
          f"failed {counts['failed']} of {len(files)} files under {folder}")
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
