"""Airflow DAG: a sharded rebuild with KubernetesPodOperator and dynamic task mapping.

One mapped pod per shard (``--shard K/N``), then one pod for ``merge-shards``. The shared volume and
the config come from the same PersistentVolumeClaim and ConfigMap as ``../kubernetes/``.
"""

from __future__ import annotations

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG
from kubernetes.client import models as k8s

SHARDS = 4
IMAGE = "stac-catalog-manager:latest"
OUTPUT = "/catalog/hls"

volumes = [
    k8s.V1Volume(name="config", config_map=k8s.V1ConfigMapVolumeSource(name="scm-rebuild-config")),
    k8s.V1Volume(
        name="catalog",
        persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="scm-catalog"),
    ),
]
mounts = [
    k8s.V1VolumeMount(name="config", mount_path="/config", read_only=True),
    k8s.V1VolumeMount(name="catalog", mount_path="/catalog"),
]

with DAG(
    dag_id="scm_sharded_rebuild",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["stac-catalog-manager"],
) as dag:
    shards = KubernetesPodOperator.partial(
        task_id="shard",
        name="scm-shard",
        image=IMAGE,
        volumes=volumes,
        volume_mounts=mounts,
        retries=3,
        get_logs=True,
    ).expand(
        arguments=[
            ["rebuild-catalog", "--config", "/config/config.yaml", "--shard", f"{k}/{SHARDS}", "--resume"]
            for k in range(SHARDS)
        ]
    )
    merge = KubernetesPodOperator(
        task_id="merge",
        name="scm-merge",
        image=IMAGE,
        arguments=["merge-shards", "--output-path", OUTPUT],
        volumes=volumes,
        volume_mounts=mounts,
        get_logs=True,
    )
    shards >> merge
