"""Real Open Inference Protocol clients against the real server.

tritonclient[http] (InferenceServerClient, InferInput) and KServe's client (InferenceRESTClient,
InferRequest), both from PyPI, talk to servers that test/e2e/oip-clients.e2e-spec.ts starts:

- OIP_URL: MODEL_REPOSITORY with anomaly-detector (versions 1 and 2), cpu-mem-pickle (a real
  scikit-learn pickle) and five-features (a real joblib file, version 3);
- OIP_REPO_URL / OIP_REPO_DIR: the same models plus a corrupt one, for the repository extension
  (admin token OIP_ADMIN_TOKEN).

Every answer is compared with the domain API's (/predict/batch, /models/{name}/predict/batch) for
the same rows: the same scoring path must give the same numbers.
"""

import asyncio
import json
import os
import shutil
import threading
import urllib.error
import urllib.request

import httpx
import numpy as np
import pytest
import tritonclient.http as triton
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
from kserve.protocol.infer_type import RequestedOutput
from tritonclient.utils import InferenceServerException

URL = os.environ["OIP_URL"]
REPO_URL = os.environ["OIP_REPO_URL"]
REPO_DIR = os.environ["OIP_REPO_DIR"]
ADMIN = {"Authorization": "Bearer " + os.environ["OIP_ADMIN_TOKEN"]}
OUTPUTS = ["predict", "score_samples", "decision_function", "anomaly_score"]

ROWS = np.array(
    [[-5.5, 5.2], [2.1, 2.1], [-1.9, -2.2], [2.0, 1.7], [0.0, 0.0], [40.0, -40.0]],
    dtype=np.float64,
)


def domain_outputs(base, rows, model=None):
    """The four outputs as the domain API answers them for `rows`."""
    path = "/predict/batch" if model is None else f"/models/{model}/predict/batch"
    body = json.dumps({"data": [[float(v) for v in row] for row in rows]}).encode()
    request = urllib.request.Request(
        f"http://{base}{path}", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        predictions = json.load(response)["predictions"]
    return {
        "predict": [p["prediction_score"] for p in predictions],
        "score_samples": [-p["anomaly_score"] for p in predictions],
        "decision_function": [p["decision_function"] for p in predictions],
        "anomaly_score": [p["anomaly_score"] for p in predictions],
    }


def triton_client(base=URL):
    return triton.InferenceServerClient(url=base)


def triton_infer(client, model, rows, datatype="FP64", binary=False, outputs=None, version=""):
    tensor = triton.InferInput("input-0", list(rows.shape), datatype)
    tensor.set_data_from_numpy(
        rows.astype(np.float32 if datatype == "FP32" else np.float64), binary_data=binary
    )
    requested = (
        None
        if outputs is None
        else [triton.InferRequestedOutput(name, binary_data=binary) for name in outputs]
    )
    return client.infer(model, [tensor], model_version=version, outputs=requested, request_id="r-1")


def as_lists(result, names=OUTPUTS):
    return {name: result.as_numpy(name).tolist() for name in names}


def kserve_run(coroutine_factory):
    async def run():
        client = InferenceRESTClient(RESTConfig(protocol="v2", timeout=30))
        try:
            return await coroutine_factory(client)
        finally:
            await client.close()

    return asyncio.run(run())


def kserve_request(model, rows, datatype="FP64", binary=True, outputs=None):
    tensor = InferInput(name="input-0", shape=list(rows.shape), datatype=datatype)
    tensor.set_data_from_numpy(
        rows.astype(np.float32 if datatype == "FP32" else np.float64), binary_data=binary
    )
    return InferRequest(
        model_name=model,
        infer_inputs=[tensor],
        request_id="k-1",
        request_outputs=None if outputs is None else [RequestedOutput(name) for name in outputs],
    )


def kserve_outputs(response):
    return {output.name: output.as_numpy().tolist() for output in response.outputs}


# --- tritonclient[http] -------------------------------------------------------------------


def test_triton_server_health_and_metadata():
    client = triton_client()
    assert client.is_server_live()
    assert client.is_server_ready()
    metadata = client.get_server_metadata()
    assert metadata["name"] == "ml-anomaly-api"
    assert "model_repository" in metadata["extensions"]


def test_triton_model_metadata_and_readiness():
    client = triton_client()
    metadata = client.get_model_metadata("anomaly-detector")
    assert metadata["name"] == "anomaly-detector"
    assert metadata["versions"] == ["1", "2"]
    assert metadata["inputs"] == [{"name": "input", "datatype": "FP64", "shape": [-1, 2]}]
    assert [o["name"] for o in metadata["outputs"]][:4] == OUTPUTS
    assert client.get_model_metadata("five-features", "3")["inputs"][0]["shape"] == [-1, 5]
    assert client.is_model_ready("anomaly-detector")
    assert client.is_model_ready("anomaly-detector", "1")
    assert not client.is_model_ready("nope")


@pytest.mark.parametrize("binary", [False, True])
def test_triton_infer_fp64_equals_predict(binary):
    result = triton_infer(triton_client(), "anomaly-detector", ROWS, "FP64", binary)
    response = result.get_response()
    assert response["model_name"] == "anomaly-detector"
    assert response["model_version"] == "2"
    assert response["id"] == "r-1"
    assert result.as_numpy("predict").dtype == np.int64
    assert as_lists(result) == domain_outputs(URL, ROWS)


@pytest.mark.parametrize("binary", [False, True])
def test_triton_infer_fp32_equals_predict_of_the_float32_rows(binary):
    result = triton_infer(triton_client(), "anomaly-detector", ROWS, "FP32", binary)
    assert as_lists(result) == domain_outputs(URL, ROWS.astype(np.float32))


def test_triton_selected_outputs():
    result = triton_infer(
        triton_client(), "anomaly-detector", ROWS, outputs=["anomaly_score", "predict"]
    )
    names = [o["name"] for o in result.get_response()["outputs"]]
    assert names == ["anomaly_score", "predict"]
    assert result.as_numpy("score_samples") is None
    expected = domain_outputs(URL, ROWS)
    assert result.as_numpy("predict").tolist() == expected["predict"]


def test_triton_version_routing():
    client = triton_client()
    v1 = triton_infer(client, "anomaly-detector", ROWS[:2], version="1")
    v2 = triton_infer(client, "anomaly-detector", ROWS[:2], version="2")
    assert v1.get_response()["model_version"] == "1"
    assert v1.as_numpy("predict").tolist() == [-1, 1]
    assert v1.as_numpy("anomaly_score").tolist() == [0.7851608520150554, 0.3877965181092329]
    assert v2.get_response()["parameters"]["artifact_version"] == "detector-v2"
    assert v2.as_numpy("anomaly_score").tolist() != v1.as_numpy("anomaly_score").tolist()


@pytest.mark.parametrize("model,width", [("cpu-mem-pickle", 2), ("five-features", 5)])
def test_triton_scikit_learn_files_equal_their_domain_routes(model, width):
    rows = np.linspace(-3.0, 3.0, 8 * width).reshape(8, width)
    result = triton_infer(triton_client(), model, rows, binary=True)
    assert as_lists(result) == domain_outputs(URL, rows, model)


def test_triton_unknown_model_is_404():
    with pytest.raises(InferenceServerException) as error:
        triton_infer(triton_client(), "nope", ROWS)
    assert error.value.status() == "404"
    assert error.value.message() == 'model "nope" is not in the repository'
    with pytest.raises(InferenceServerException) as error:
        triton_client().get_model_metadata("anomaly-detector", "7")
    assert error.value.status() == "404"


def test_triton_bad_shape_is_400_naming_it():
    with pytest.raises(InferenceServerException) as error:
        triton_infer(triton_client(), "anomaly-detector", np.ones((2, 3)))
    assert error.value.status() == "400"
    assert error.value.message().startswith("inputs[0].shape must be [N, 2] or [2]")
    assert "got [2, 3]" in error.value.message()


# --- KServe's client ------------------------------------------------------------------------


def test_kserve_health_and_readiness():
    async def checks(client):
        base = f"http://{URL}"
        return (
            await client.is_server_live(base),
            await client.is_server_ready(base),
            await client.is_model_ready(base, "anomaly-detector"),
            await client.is_model_ready(base, "nope"),
        )

    assert kserve_run(checks) == (True, True, True, False)


@pytest.mark.parametrize("datatype,binary", [("FP64", False), ("FP64", True), ("FP32", True)])
def test_kserve_infer_equals_predict(datatype, binary):
    request = kserve_request("anomaly-detector", ROWS, datatype, binary)
    response = kserve_run(lambda c: c.infer(f"http://{URL}", request, "anomaly-detector"))
    assert response.model_name == "anomaly-detector"
    assert response.id == "k-1"
    rows = ROWS.astype(np.float32) if datatype == "FP32" else ROWS
    assert kserve_outputs(response) == domain_outputs(URL, rows)


def test_kserve_selected_outputs():
    request = kserve_request("cpu-mem-pickle", ROWS, outputs=["decision_function"])
    response = kserve_run(lambda c: c.infer(f"http://{URL}", request, "cpu-mem-pickle"))
    assert kserve_outputs(response) == {
        "decision_function": domain_outputs(URL, ROWS, "cpu-mem-pickle")["decision_function"]
    }


def test_kserve_unknown_model_and_bad_shape():
    request = kserve_request("nope", ROWS)
    with pytest.raises(httpx.HTTPStatusError) as error:
        kserve_run(lambda c: c.infer(f"http://{URL}", request, "nope"))
    assert error.value.response.status_code == 404
    assert error.value.response.json() == {"error": 'model "nope" is not in the repository'}
    bad = kserve_request("anomaly-detector", np.ones((1, 4)))
    with pytest.raises(httpx.HTTPStatusError) as error:
        kserve_run(lambda c: c.infer(f"http://{URL}", bad, "anomaly-detector"))
    assert error.value.response.status_code == 400
    assert "inputs[0].shape" in error.value.response.json()["error"]


# --- The repository extension (tritonclient) ----------------------------------------------


def index_of(client):
    return {
        (row["name"], row.get("version")): row
        for row in client.get_model_repository_index(headers=ADMIN)
    }


def test_repository_isolates_a_corrupt_model_and_replaces_it_without_a_restart():
    client = triton_client(REPO_URL)
    index = index_of(client)
    assert index[("broken", "1")]["state"] == "UNAVAILABLE"
    assert index[("broken", "1")]["reason"].startswith("model file is invalid")
    assert index[("cpu-mem-pickle", "1")]["state"] == "READY"
    assert not client.is_server_ready()
    assert not client.is_model_ready("broken")
    with pytest.raises(InferenceServerException) as error:
        triton_infer(client, "broken", ROWS)
    assert error.value.status() == "503"
    assert triton_infer(client, "cpu-mem-pickle", ROWS).as_numpy("predict").shape == (6,)

    shutil.copy(
        os.path.join(REPO_DIR, "anomaly-detector", "1", "model.json"),
        os.path.join(REPO_DIR, "broken", "1", "model.json"),
    )
    client.load_model("broken", headers=ADMIN)
    assert client.is_model_ready("broken")
    assert client.is_server_ready()
    assert as_lists(triton_infer(client, "broken", ROWS)) == as_lists(
        triton_infer(client, "anomaly-detector", ROWS, version="1")
    )


def test_repository_load_and_unload_while_requests_run():
    client = triton_client(REPO_URL)
    expected = domain_outputs(REPO_URL, ROWS, "cpu-mem-pickle")
    statuses = []
    stop = threading.Event()
    body = json.dumps(
        {"inputs": [{"name": "x", "shape": [6, 2], "datatype": "FP64", "data": ROWS.tolist()}]}
    ).encode()

    def hammer():
        while not stop.is_set():
            request = urllib.request.Request(
                f"http://{REPO_URL}/v2/models/cpu-mem-pickle/infer", data=body
            )
            try:
                with urllib.request.urlopen(request) as response:
                    answer = json.load(response)
                outputs = {o["name"]: o["data"] for o in answer["outputs"]}
                statuses.append(200 if outputs == expected else "wrong answer")
            except urllib.error.HTTPError as error:
                message = json.load(error)["error"]
                statuses.append(error.code if message.endswith("not ready: unloaded") else message)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            client.unload_model("cpu-mem-pickle", headers=ADMIN)
            assert not client.is_model_ready("cpu-mem-pickle")
            client.load_model("cpu-mem-pickle", headers=ADMIN)
            assert client.is_model_ready("cpu-mem-pickle")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert statuses, "no request ran"
    assert set(statuses) <= {200, 503}, statuses
    assert as_lists(triton_infer(client, "cpu-mem-pickle", ROWS)) == expected


def test_repository_extension_needs_the_admin_token():
    with pytest.raises(InferenceServerException) as error:
        triton_client(REPO_URL).get_model_repository_index()
    assert error.value.status() == "401"
    with pytest.raises(InferenceServerException) as error:
        triton_client(REPO_URL).load_model("nope", headers=ADMIN)
    assert error.value.status() == "404"
