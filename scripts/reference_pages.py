"""Write docs/reference/{stages,triggers,artifacts}.md: every typed class, its example, and the JSON it renders.

python scripts/reference_pages.py        # regenerate (tests/test_docs.py checks they are current)
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import spinpromote

ROOT = Path(__file__).resolve().parents[1]

STAGES = {
    "DeployManifest": 'DeployManifest(name="Deploy to Staging", account="staging", manifest_artifact_id="ea-manifest", '
    'moniker=Moniker(app="demo"))',
    "ManualJudgment": 'ManualJudgment(name="Approve", instructions="Check staging first.", '
    'judgment_inputs=["deploy", "skip"])',
    "FindArtifactFromExecution": 'FindArtifactFromExecution(name="Find staging artifacts", application="demo", '
    'pipeline=pipeline_id("demo", "Deploy to Staging"), expected_artifacts=[ExpectedArtifact(id="ea-image", '
    'display_name="image", match=DockerImage(image="gcr.io/acme/demo"))])',
    "Wait": 'Wait(name="Soak", wait_time=600)',
    "RunPipeline": 'RunPipeline(name="Integration tests", application="demo", '
    'pipeline=pipeline_id("demo", "Integration Tests"), pipeline_parameters={"target": "staging"})',
    "Webhook": 'Webhook(name="Smoke test", url="https://ci.example.com/smoke", payload={"env": "staging"})',
    "CheckPreconditions": 'CheckPreconditions(name="Only on main", '
    'preconditions=[Precondition.expression("trigger.branch == \'main\'", failure_message="not main")])',
    "RunJobManifest": 'RunJobManifest(name="Migrate", account="staging", manifest={"apiVersion": "batch/v1", '
    '"kind": "Job", "metadata": {"name": "migrate"}})',
    "BakeManifest": 'BakeManifest(name="Bake", output_name="demo", input_artifacts=[InputArtifact(id="ea-chart", '
    'account="helm")], expected_artifacts=[ExpectedArtifact(id="ea-baked", display_name="baked", '
    'match=EmbeddedBase64(name="demo"))])',
    "DeleteManifest": 'DeleteManifest(name="Remove canary", account="prod", location="demo", mode="static", '
    'manifest_name="deployment demo-canary")',
    "ScaleManifest": 'ScaleManifest(name="Scale up", account="prod", location="demo", mode="static", '
    'manifest_name="deployment demo", replicas=6)',
    "UndoRolloutManifest": 'UndoRolloutManifest(name="Roll back", account="prod", location="demo", mode="static", '
    'manifest_name="deployment demo")',
    "EnableManifest": 'EnableManifest(name="Enable new", account="prod", location="demo", mode="static", '
    'manifest_name="replicaSet demo-v002")',
    "DisableManifest": 'DisableManifest(name="Disable old", account="prod", location="demo", mode="static", '
    'manifest_name="replicaSet demo-v001")',
    "PatchManifest": 'PatchManifest(name="Scale by patch", account="prod", location="demo", mode="static", '
    'manifest_name="deployment demo", patch_body={"spec": {"replicas": 4}}, options={"mergeStrategy": "strategic", '
    '"record": True})',
    "FindArtifactsFromResource": 'FindArtifactsFromResource(name="Images in production", account="prod", '
    'location="demo", mode="static", manifest_name="deployment demo")',
    "KayentaCanary": 'KayentaCanary(name="Canary analysis", canary_config={"canaryConfigId": "demo-config", '
    '"lifetimeDuration": "PT0H30M", "scoreThresholds": {"marginal": "75", "pass": "95"}})',
    "EvaluateVariables": 'EvaluateVariables(name="Remember the tag", variables=[{"key": "tag", '
    '"value": "${trigger.tag}"}])',
    "Jenkins": 'Jenkins(name="Smoke tests", master="ci", job="demo/smoke", parameters={"ENV": "staging"})',
    "GenericStage": 'GenericStage(type="rollingRestartManifest", name="Restart", extra={"account": "prod"})',
}
TRIGGERS = {
    "GitTrigger": 'GitTrigger(source="github", project="acme", slug="demo", branch="main", '
    'expected_artifact_ids=["ea-manifest"])',
    "DockerTrigger": 'DockerTrigger(account="gcr", registry="gcr.io", repository="acme/demo", tag="^v.*")',
    "PipelineTrigger": 'PipelineTrigger(application="demo", pipeline=pipeline_id("demo", "Deploy to Staging"))',
    "CronTrigger": 'CronTrigger(cron_expression="0 0 6 ? * MON-FRI")',
    "WebhookTrigger": 'WebhookTrigger(source="release", payload_constraints={"env": "prod"})',
    "JenkinsTrigger": 'JenkinsTrigger(master="ci", job="demo/build")',
    "HelmTrigger": 'HelmTrigger(account="helm", chart="demo", version="^1.0.0")',
    "PubsubTrigger": 'PubsubTrigger(pubsub_system="google", subscription_name="gcr-events")',
    "GenericTrigger": 'GenericTrigger(type="artifactory", extra={"artifactorySearchName": "demo"})',
}
ARTIFACTS = {
    "ExpectedArtifact": 'ExpectedArtifact(id="ea-manifest", display_name="manifest", '
    'match=GitHubFile(path="k8s/demo.yml", artifact_account="github"), '
    'default=GitHubFile(path="k8s/demo.yml", repo="acme/demo", version="main", artifact_account="github"))',
    "GitHubFile": 'GitHubFile(path="k8s/demo.yml", repo="acme/demo", version="main", artifact_account="github")',
    "GitLabFile": 'GitLabFile(path="k8s/demo.yml", project="acme/demo", version="main", artifact_account="gitlab")',
    "BitbucketFile": 'BitbucketFile(path="k8s/demo.yml", repo="acme/demo", version="main", '
    'artifact_account="bitbucket")',
    "GitRepo": 'GitRepo(url="https://github.com/acme/demo.git", branch="main", sub_path="chart", '
    'artifact_account="gitrepo")',
    "DockerImage": 'DockerImage(image="gcr.io/acme/demo", tag="v1.2.3")',
    "HelmChart": 'HelmChart(chart="demo", version="1.2.3", artifact_account="helm")',
    "EmbeddedBase64": 'EmbeddedBase64(name="demo", content="kind: Namespace")',
    "HttpFile": 'HttpFile(url="https://example.com/demo.yml", artifact_account="http")',
    "S3Object": 'S3Object(bucket="acme-manifests", key="demo.yml", region="us-east-1", artifact_account="s3")',
    "GcsObject": 'GcsObject(bucket="acme-manifests", path="demo.yml", generation="1700000000", artifact_account="gcs")',
    "KubernetesObject": 'KubernetesObject(kind="configMap", name="demo-settings", location="demo")',
    "GenericArtifact": 'GenericArtifact(type="maven/file", name="com.acme:demo", version="1.2.3")',
}
PAGES = {
    "stages": ("Stages", STAGES, "Every stage takes the common options described in [the model](../model.md)."),
    "triggers": ("Triggers", TRIGGERS, "Every trigger starts enabled; `expected_artifact_ids` lists what it supplies."),
    "artifacts": ("Artifacts", ARTIFACTS, "Kinds compute Spinnaker's name and reference from your words."),
}


def page(title: str, examples: dict[str, str], intro: str) -> str:
    """One reference page."""
    namespace = {name: getattr(spinpromote, name) for name in spinpromote.__all__}
    parts = [f"# {title}\n\n{intro}\n"]
    for name, source in examples.items():
        cls = getattr(spinpromote, name)
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        obj = eval(source, namespace)
        used = sorted(n for n in spinpromote.__all__ if re.search(rf"\b{n}[.(]", source))
        code = f"from spinpromote import {', '.join(used)}\n\nexample = {source}\nprint(example.to_json())"
        parts.append(f"## `{name}`\n\n{summary}\n\n```python\n{code}\n```\n\nprints\n\n```json\n{obj.to_json()}\n```\n")
    return "\n".join(parts)


def pages() -> dict[Path, str]:
    """Path -> content of each generated page."""
    return {
        ROOT / "docs" / "reference" / f"{slug}.md": page(title, examples, intro)
        for slug, (title, examples, intro) in PAGES.items()
    }


if __name__ == "__main__":
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
