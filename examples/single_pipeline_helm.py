"""One pipeline: bake a Helm chart, deploy to staging, wait for a judgment, deploy to production.

python examples/single_pipeline_helm.py
"""

from spinpromote import (
    BakeManifest,
    DeployManifest,
    EmbeddedBase64,
    ExpectedArtifact,
    HelmChart,
    HelmTrigger,
    InputArtifact,
    ManualJudgment,
    Notification,
    PipelineBuilder,
)

APPLICATION = "helm-demo"

builder = PipelineBuilder(APPLICATION, "Bake and Promote")
chart = builder.expect(
    ExpectedArtifact(
        display_name="demo-chart",
        match=HelmChart(chart="demo", artifact_account="helm-charts"),
        default=HelmChart(chart="demo", version="1.0.0", artifact_account="helm-charts"),
    )
)
builder.trigger(HelmTrigger(account="helm-charts", chart="demo", version="^1.0.0", expected_artifact_ids=[chart.id]))

baked_manifest = ExpectedArtifact(display_name="demo-baked", match=EmbeddedBase64(name="demo"))
bake = builder.add(
    BakeManifest(
        name="Bake demo chart",
        template_renderer="HELM3",
        output_name="demo",
        namespace="demo",
        input_artifacts=[InputArtifact(id=chart.id, account="helm-charts")],
        overrides={"replicaCount": "2"},
        expected_artifacts=[baked_manifest],
    )
)
baked_id = bake.expected_artifacts[0].id if bake.expected_artifacts else None

staging = builder.then(DeployManifest(name="Deploy to Staging", account="staging", manifest_artifact_id=baked_id))
approve = builder.then(
    ManualJudgment(
        name="Promote to Production?",
        instructions="Check staging, then promote.",
        judgment_inputs=["promote", "stop"],
        send_notifications=True,
        notifications=[Notification.slack("#deploys", when=["manualJudgment"])],
    )
)
builder.then(
    DeployManifest(
        name="Deploy to Production",
        account="prod",
        manifest_artifact_id=baked_id,
        stage_enabled="#judgment('Promote to Production?') == 'promote'",
    )
)
pipeline = builder.build()

if __name__ == "__main__":
    pipeline.check()
    print(pipeline.to_json())
