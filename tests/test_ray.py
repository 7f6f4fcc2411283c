"""`translator batch` on a real Ray cluster (two nodes on 127.0.0.1, shared by the session):
the same bytes as the local job, on Apertium and on CTranslate2, through a lost node and a
driver killed with SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from test_batch import CommitRecorder, engine_settings, mixed_articles
from test_batch_cli import done_articles
from translator.batch import BatchJob
from translator.batch.cluster import ClusterError, RayExecutor, RayOptions, TranslationActor
from translator.batch.work import Failure, Work
from translator.engines.apertium import ApertiumEngine
from translator.pipeline import Pipeline
from translator.settings import Settings

needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return mixed_articles(tmp_path_factory.mktemp("ray") / "in", 30)


@pytest.fixture(scope="module", params=["apertium", "ctranslate2-random"])
def job_settings(request, tmp_path_factory, argos_random) -> Settings:
    return engine_settings(request.param, tmp_path_factory.mktemp("ray-settings"), argos_random)


def local_bytes(settings: Settings, inputs: Path, out: Path) -> bytes:
    pipeline = Pipeline.from_settings(settings)
    try:
        summary = BatchJob(out, pipeline, target="en", source="fr").run([str(inputs)])
    finally:
        pipeline.close()
    assert summary.complete and summary.counts.done == 30
    return (out / "translations.jsonl").read_bytes()


@pytest.fixture(scope="module")
def expected(job_settings, inputs, tmp_path_factory) -> bytes:
    return local_bytes(job_settings, inputs, tmp_path_factory.mktemp("local") / "out")


def test_a_job_on_ray_writes_the_bytes_of_the_local_job(ray_cluster, job_settings, inputs,
                                                       expected, tmp_path):
    """Two actors, one per node; the CTranslate2 model is shipped through the object
    store, Apertium is read where every node has it. The progress moves one article at a
    time, in order, as each chunk commits, from the first one-article chunk on; the
    summary gives the time Ray took to be ready apart from the run's."""
    ship = job_settings.apertium is False
    pipeline = Pipeline.from_settings(job_settings)
    job = BatchJob(tmp_path / "out", pipeline, target="en", source="fr",
                   ray=RayOptions(address=ray_cluster.address, actors=2, ship_models=ship))
    job.connect_ray()
    recorder = CommitRecorder(tmp_path / "out")
    summary = job.run([str(inputs)], progress=recorder)
    pipeline.close()
    assert summary.complete and summary.counts.done == 30
    assert (tmp_path / "out" / "translations.jsonl").read_bytes() == expected
    assert [articles for articles, _, _ in recorder.calls] == [1] * 30
    assert sum(sentences for _, sentences, _ in recorder.calls) == summary.sentences_this_run
    committed = [committed for _, _, committed in recorder.calls]
    assert committed[0] == 1 and committed[-1] == 30 and len(set(committed)) == summary.commits
    assert all(count >= n for n, count in enumerate(committed, 1)) and committed == sorted(committed)
    assert summary.lines()[1].startswith("this run: Ray ready in 0.0 s; 30 articles, ")


def gated_job(out: Path, pipeline: Pipeline, options: RayOptions, gate: Path,
              doomed: str) -> BatchJob:
    """A job whose actors hold each chunk until ``gate/go`` exists, and whose actor on
    node ``doomed`` never finishes one: when a ``gate/<doomed>-*`` marker appears, that
    actor is mid-chunk, and the other actors have not finished anything yet."""

    class GatedActor(TranslationActor):  # defined here: Ray ships it by value
        def translate(self, todo):
            import ray

            node = ray.get_runtime_context().get_node_id()
            (gate / f"{node}-{os.getpid()}").touch()
            while node == doomed or not (gate / "go").exists():
                time.sleep(0.05)
            return super().translate(todo)

    class GatedJob(BatchJob):
        def _executor(self, deliver):
            return RayExecutor(self.ray, self.pipeline, self.target, self.glossary, deliver,
                               actor=GatedActor)

    return GatedJob(out, pipeline, target="en", source="fr", ray=options)


@pytest.mark.parametrize("job_settings", ["ctranslate2-random"], indirect=True)
def test_a_node_lost_mid_job_costs_no_article_and_no_byte(ray_cluster, job_settings, inputs,
                                                         expected, tmp_path, caplog):
    """A third node joins and takes one of three actors; it is removed while that actor
    translates a chunk: the chunk goes to another actor, and the job ends with the same
    bytes. The retry does not depend on the engine: run once, on CTranslate2 with its
    model shipped through the object store (a replacement actor needs it too)."""
    node = ray_cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    ray_cluster.wait_for_nodes()
    gate = tmp_path / "gate"
    gate.mkdir()

    def remove_when_busy() -> None:
        deadline = time.monotonic() + 120
        try:
            while not any(gate.glob(f"{node.node_id}-*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            ray_cluster.remove_node(node)
        finally:
            (gate / "go").touch()

    remover = threading.Thread(target=remove_when_busy)
    remover.start()
    pipeline = Pipeline.from_settings(job_settings)
    try:
        job = gated_job(tmp_path / "out", pipeline,
                        RayOptions(address=ray_cluster.address, actors=3,
                                   ship_models=not job_settings.apertium), gate, node.node_id)
        summary = job.run([str(inputs)])
    finally:
        (gate / "go").touch()
        remover.join()
        pipeline.close()
    assert any(gate.glob(f"{node.node_id}-*")), "the third node's actor never took a chunk"
    # the lost node's actor was translating a chunk, which another actor did again
    assert any("its Ray actor died; retrying" in r.getMessage() for r in caplog.records)
    assert summary.complete and summary.counts.done == 30 and summary.counts.failed == 0
    assert (tmp_path / "out" / "translations.jsonl").read_bytes() == expected


def test_actors_without_the_drivers_models_are_refused(ray_cluster, inputs, argos_random,
                                                      tmp_path):
    """An actor that would route otherwise than the driver (another set of models) must
    not translate: the job stops with a clear error and commits nothing."""
    shutil.copytree(argos_random, tmp_path / "models" / "translate-fr_en")
    settings = Settings(models_dir=tmp_path / "models", argos_packages_dir=tmp_path / "argos",
                        apertium=False)
    driver = Pipeline.from_settings(settings)
    # the actors build their pipeline from the driver's settings: a folder without the model
    pipeline = Pipeline(driver.engines, settings.replace(models_dir=tmp_path / "no-models"))
    job = BatchJob(tmp_path / "out", pipeline, target="en", source="fr",
                   ray=RayOptions(address=ray_cluster.address, actors=1))
    with pytest.raises(ClusterError, match=r"a Ray actor has other models than the driver: none "
                                           r"instead of ctranslate2:translate-fr_en"):
        job.run([str(inputs)])
    assert done_articles(tmp_path / "out") == 0
    driver.close()


@needs_apertium
def test_the_driver_killed_mid_job_resumes_locally_to_the_same_bytes(ray_cluster, tmp_path):
    """`translator batch --ray ADDRESS` killed with SIGKILL after some commits, then run
    again without Ray: the ledger carries the job over, and the bytes are the local ones."""
    inputs = mixed_articles(tmp_path / "in", 40)
    env = {**os.environ, "TRANSLATOR_MODELS_DIR": str(tmp_path / "no-models"),
           "TRANSLATOR_BATCH_CHUNK_CHARS": "800"}

    def batch(out: Path, *extra: str, wait: bool = True):
        command = [sys.executable, "-m", "translator", "batch", str(inputs), "--to", "en",
                   "--from", "fr", "--out", str(out), "--progress", "none", *extra]
        if wait:
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)

    full = batch(tmp_path / "full")
    assert full.returncode == 0, full.stderr
    proc = batch(tmp_path / "out", "--ray", ray_cluster.address, "--actors", "2", wait=False)
    deadline = time.monotonic() + 120
    while done_articles(tmp_path / "out") < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert 3 <= done_articles(tmp_path / "out") < 40
    final = batch(tmp_path / "out")
    assert final.returncode == 0, final.stderr
    assert ((tmp_path / "out" / "translations.jsonl").read_bytes()
            == (tmp_path / "full" / "translations.jsonl").read_bytes())


def test_ray_options_are_checked_before_anything_runs(tmp_path, capsys):
    from translator import cli

    inputs = tmp_path / "a.txt"
    inputs.write_text("Le chat dort.\n", encoding="utf-8")
    for extra, message in ((["--actors", "2"], "--actors and --ship-models need --ray"),
                           (["--ray", "--actors", "0"], "--actors must be at least 1"),
                           (["--ray", "--actor-cpus", "0"],
                            "--actor-cpus must be positive and --actor-gpus at least 0"),
                           (["--ray", "nowhere"], "a Ray address is host:port, ray://host:port, "
                                                  "auto or local, not 'nowhere'"),
                           (["--ray", "127.0.0.1:1"], "cannot reach the Ray cluster at "
                                                      "127.0.0.1:1: Connection refused")):
        assert cli.main(["batch", str(inputs), "--to", "en", "--out", str(tmp_path / "out"),
                         *extra]) == (5 if "reach" in message else 2)
        assert capsys.readouterr().err == f"translator: error: {message}\n"
    assert not (tmp_path / "out").exists()


def test_service_jobs_run_on_the_cluster_of_ray_address(ray_cluster, tmp_path, argos_fr_en,
                                                        caplog):
    """`POST /v1/jobs` with the setting ray_address: the engine work goes to the cluster,
    the interactive path stays in the service's process."""
    import logging

    from test_web_jobs import article, make_app, records, zip_bytes

    caplog.set_level(logging.INFO, logger="translator.batch.cluster")
    app = make_app(tmp_path, argos_fr_en, ray_address=ray_cluster.address)
    try:
        client = app.test_client()
        members = {f"{n}.txt": article(n) for n in range(6)}
        response = client.post("/v1/jobs?target=en&source=fr&filename=day.zip",
                               data=zip_bytes(members), content_type="application/zip")
        assert response.status_code == 202, response.get_json()
        job = response.get_json()["id"]
        deadline = time.monotonic() + 120
        while (status := client.get(f"/v1/jobs/{job}").get_json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["state"] == "done" and status["counts"]["done"] == 6, status
        with client.get(f"/v1/jobs/{job}/result") as result:  # closes the file send_file opened
            lines = records(result.data)
        assert [line["target_text"] for line in lines] == list(members.values())  # copy model
        assert any(f"Ray actors (1 CPU, 0 GPU each) at {ray_cluster.address}" in r.getMessage()
                   for r in caplog.records)
        interactive = client.post("/v1/translate", json={"text": "Le chat.", "source": "fr",
                                                         "target": "en"})
        assert interactive.status_code == 200
    finally:
        app.extensions["translator"].close()


class PoisonedActor(TranslationActor):
    """A real translation actor whose process dies on any batch holding "POISON" (as a
    native crash in an engine would): shipped to the workers by value."""

    def translate(self, todo):
        if any("POISON" in s for sentences in todo.values() for s in sentences):
            os._exit(1)
        return super().translate(todo)


def test_a_sentence_that_keeps_killing_its_actor_fails_alone(ray_cluster, argos_fr_en, tmp_path):
    """Retried whole once, then halved down to the sentence: it fails as `worker_lost`,
    every other sentence of the chunk is translated."""
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    shutil.copytree(argos_fr_en, tmp_path / "models" / "translate-fr_en")
    pipeline = Pipeline.from_settings(Settings(models_dir=tmp_path / "models",
                                               argos_packages_dir=tmp_path / "argos",
                                               apertium=False))
    outcomes: list = []
    done = threading.Event()
    executor = RayExecutor(RayOptions(address=ray_cluster.address, actors=1), pipeline, "en",
                           None, lambda order, outcome: (outcomes.append((order, outcome)),
                                                         done.set()), actor=PoisonedActor)
    try:
        sentences = ["Le chat dort.", "Le chien joue.", "POISON ici.", "La pluie tombe."]
        executor.submit(0, {"fr": sentences})
        assert done.wait(120)
    finally:
        executor.close()
        pipeline.close()
    ((order, work),) = outcomes
    assert order == 0 and isinstance(work, Work)
    assert work.translations == {"fr": {s: work.translations["fr"][s]
                                        for s in sentences if s != "POISON ici."}}
    assert [t.text for t in work.translations["fr"].values()] == [
        "Le chat dort.", "Le chien joue.", "La pluie tombe."]  # the copy model
    assert work.failed == {"fr": {"POISON ici.": Failure(
        "worker_lost", "the translation worker died 2 times on this sentence (ActorDiedError)")}}
