"""The official openai package against the orchestrator's RAG /v1/chat/completions: a whole answer and a stream,
each with the retrieval in the "rag" extension field. Prints "N passed, M failed" last.

Usage: check_rag_openai_client.py HOST PORT QUESTION EXPECTED_DOCUMENT_ID [FILTER_JSON]

FILTER_JSON, when given, is the RAG filter sent as an extra body field (the openai package's extra_body), as a
user steers retrieval through this route.
"""
import json
import sys

from openai import OpenAI


def main():
    host, port, question, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    extra = {"filter": json.loads(sys.argv[5])} if len(sys.argv) > 5 else None
    client = OpenAI(base_url=f"http://{host}:{port}/v1", api_key="unused", timeout=300)
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
        if ok:
            passed += 1
        else:
            failed += 1

    r = client.chat.completions.create(model="rag", messages=[{"role": "user", "content": question}],
                                       extra_body=extra)
    rag = (r.model_extra or {}).get("rag", {})
    check("whole answer has text", bool(r.choices[0].message.content.strip()), r)
    check("whole answer: the right document first in the prompt, cites_nothing true iff no citation",
          bool(rag.get("context")) and rag["context"][0]["document_id"] == expected
          and rag["cites_nothing"] == (not rag["citations"]), rag)

    pieces, last_rag = [], None
    for chunk in client.chat.completions.create(model="rag", stream=True,
                                                messages=[{"role": "user", "content": question}],
                                       extra_body=extra):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if (chunk.model_extra or {}).get("rag"):
            last_rag = chunk.model_extra["rag"]
    check("stream sends the answer in pieces", len(pieces) > 1 and "".join(pieces).strip() != "", pieces)
    check("stream ends with the retrieval", bool(last_rag) and bool(last_rag.get("context"))
          and last_rag["context"][0]["document_id"] == expected,
          last_rag)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
