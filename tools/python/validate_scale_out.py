"""Validates the manifests of examples/scale-out against their engines' schemas.

Usage: python validate_scale_out.py <examples/scale-out folder> [--broken]

- Kubernetes manifests (kubernetes/*.yaml): kubernetes-validate, strict (unknown fields are errors), against
  the newest Kubernetes version it bundles.
- The Argo template (argo/*.yaml): the JSON Schema of hera's models of Argo's API (generated from Argo's
  OpenAPI spec), closed so that an unknown field is an error, as the Argo server rejects it.
- The Airflow DAG (airflow/*.py): imported with Airflow's DagBag (apache-airflow and the cncf.kubernetes
  provider), which must report no import error and the DAG's tasks.

Prints one JSON line per file: {"file", "kind", "ok", "error"?, "details"?}. With --broken, each manifest is
first spoiled (an unknown field added to its first container) to show that the check does reject it.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import tempfile

import yaml


def spoil(document: dict) -> dict:
    """Adds an unknown field to the first container found, the typo a schema check must catch."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "containers" in node and isinstance(node["containers"], list):
                node["containers"][0]["argz"] = ["typo"]
                return document
            if "container" in node and isinstance(node["container"], dict):
                node["container"]["argz"] = ["typo"]
                return document
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    document["spec"] = {"unknownField": True}
    return document


def check_kubernetes(path: pathlib.Path, broken: bool) -> dict:
    import kubernetes_validate

    version = kubernetes_validate.latest_version()
    for document in yaml.safe_load_all(path.read_text()):
        if broken:
            document = spoil(document)
        kubernetes_validate.validate(document, version, strict=True)
    return {"details": f"Kubernetes {version}"}


def closed(node):
    """Marks every object schema with properties as closed (additionalProperties false)."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            closed(value)
    elif isinstance(node, list):
        for value in node:
            closed(value)
    return node


def check_argo(path: pathlib.Path, broken: bool) -> dict:
    import jsonschema
    from hera.workflows.models import Workflow, WorkflowTemplate

    models = {"WorkflowTemplate": WorkflowTemplate, "Workflow": Workflow}
    for document in yaml.safe_load_all(path.read_text()):
        model = models[document["kind"]]
        if broken:
            document = spoil(document)
        schema = closed(model.model_json_schema(by_alias=True))
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
        if error is not None:
            raise ValueError(f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}")
        model.model_validate(document)
    import hera

    return {"details": f"hera {hera.__version__ if hasattr(hera, '__version__') else ''}".strip()}


def check_airflow(path: pathlib.Path, broken: bool) -> dict:
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="scm-airflow-"))
    from airflow.dag_processing.dagbag import DagBag

    folder = path.parent
    if broken:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="scm-dag-"))
        (folder / path.name).write_text(path.read_text().replace("KubernetesPodOperator(", "KubernetesPodOperator(bogus=1, "))
    bag = DagBag(dag_folder=str(folder))
    if bag.import_errors:
        raise ValueError("; ".join(str(e) for e in bag.import_errors.values())[:500])
    dags = {dag_id: {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} for dag_id, dag in bag.dags.items()}
    return {"details": dags}


CHECKS = {"kubernetes": ("*.yaml", check_kubernetes), "argo": ("*.yaml", check_argo), "airflow": ("*.py", check_airflow)}


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    broken = "--broken" in sys.argv[2:]
    for kind, (pattern, check) in CHECKS.items():
        for path in sorted((root / kind).glob(pattern)):
            line = {"file": str(path.relative_to(root)), "kind": kind}
            try:
                line.update(ok=True, **check(path, broken))
            except Exception as error:  # noqa: BLE001 - every failure is reported, one line per file
                line.update(ok=False, error=f"{type(error).__name__}: {str(error)[:500]}")
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
