#!/usr/bin/env python3
"""Drives the embedding service with clients we did not write and checks the vectors it returns.

Clients: NVIDIA's tritonclient (gRPC and HTTP, KServe Open Inference Protocol v2) and the official openai
package (POST /v1/embeddings). Expected vectors: the sentence-transformers golden file
(embedding-service/src/test/resources/goldens/all-minilm-l6-v2.json); every vector must reach cosine >= 0.9999.

Usage: check_embedding_clients.py HOST PORT GOLDEN_JSON
Prints one line per check and a closing "N passed, N failed"; exits non-zero on any failure.
"""
import base64
import json
import struct
import sys
import traceback

import numpy as np

MODEL = "all-minilm-l6-v2"


def main():
    host, port, golden_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    golden = json.load(open(golden_path, encoding="utf-8"))
    items = [golden["items"][i] for i in (0, 5, 40, 120, 200, 250)]
    texts = [it["text"] for it in items]
    expected = np.array([struct.unpack("<%df" % golden["dimension"], base64.b64decode(it["vector"])) for it in items],
                        dtype=np.float32)

    def agree(name, got):
        got = np.asarray(got, dtype=np.float32).reshape(len(texts), -1)
        cos = np.sum(got * expected, axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1))
        assert got.shape == expected.shape, f"{name}: shape {got.shape}, expected {expected.shape}"
        assert cos.min() >= 0.9999, f"{name}: worst cosine {cos.min():.6f}"
        return f"worst cosine {cos.min():.7f}"

    def triton_grpc():
        import tritonclient.grpc as grpcclient
        client = grpcclient.InferenceServerClient(url=f"{host}:{port}")
        assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(MODEL)
        meta = client.get_model_metadata(MODEL)
        assert meta.inputs[0].datatype == "BYTES" and list(meta.outputs[0].shape) == [-1, 384], meta
        inp = grpcclient.InferInput("text", [len(texts)], "BYTES")
        inp.set_data_from_numpy(np.array([t.encode("utf-8") for t in texts], dtype=np.object_))
        result = client.infer(MODEL, [inp], outputs=[grpcclient.InferRequestedOutput("embedding")])
        return agree("tritonclient.grpc", result.as_numpy("embedding"))

    def triton_http():
        import tritonclient.http as httpclient
        client = httpclient.InferenceServerClient(url=f"{host}:{port}")
        assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(MODEL)
        inp = httpclient.InferInput("text", [len(texts)], "BYTES")
        # JSON tensors: the service does not implement the binary-data extension.
        inp.set_data_from_numpy(np.array(texts, dtype=np.object_), binary_data=False)
        out = httpclient.InferRequestedOutput("embedding", binary_data=False)
        result = client.infer(MODEL, [inp], outputs=[out])
        return agree("tritonclient.http", result.as_numpy("embedding"))

    def triton_error():
        import tritonclient.grpc as grpcclient
        from tritonclient.utils import InferenceServerException
        client = grpcclient.InferenceServerClient(url=f"{host}:{port}")
        inp = grpcclient.InferInput("text", [1], "BYTES")
        inp.set_data_from_numpy(np.array([b"x"], dtype=np.object_))
        try:
            client.infer("no-such-model", [inp])
        except InferenceServerException as e:
            assert "unknown model" in e.message(), e.message()
            return "unknown model -> " + str(e.status())
        raise AssertionError("no error for an unknown model")

    def openai_client():
        from openai import OpenAI
        client = OpenAI(base_url=f"http://{host}:{port}/v1", api_key="not-needed")
        reply = client.embeddings.create(model=MODEL, input=texts)
        assert [d.index for d in reply.data] == list(range(len(texts)))
        return agree("openai", [d.embedding for d in reply.data])

    checks = [("tritonclient gRPC (KServe v2)", triton_grpc), ("tritonclient HTTP (KServe v2)", triton_http),
              ("tritonclient error", triton_error), ("openai embeddings", openai_client)]
    passed = failed = 0
    for name, check in checks:
        try:
            print(f"PASS {name}: {check()}")
            passed += 1
        except Exception:  # report every check, then fail
            print(f"FAIL {name}:\n{traceback.format_exc()}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
