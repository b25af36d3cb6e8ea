"""The contract of issue 11, verbatim: the seed chain runs offline exactly as Spinnaker would run it."""

from __future__ import annotations

from tests.sim._build import seed_chain


def test_contract_snippet_works_as_written() -> None:
    """The issue's snippet: push, staging deploys, the judgment waits, continue, production deploys the same.

    Mirrors echo GitEventHandler.java:79-111 (the push fires), orca DependentPipelineExecutionListener.groovy
    (pipeline triggers), ManualJudgmentStage.groovy:92-105 (the judgment), ArtifactUtils.java:96-120 (hand-off).
    """
    from spinpromote.sim import DockerPush, GitPush, Spinnaker  # noqa: F401 - the contract's import line

    chain = seed_chain()

    spin = Spinnaker()
    spin.save(chain)
    spin.git.commit("acme/demo", branch="main", files={"manifests/demo.yml": "kind: Deployment\n..."})
    started = spin.send(
        GitPush(
            source="github",
            repo="acme/demo",
            branch="main",
            files={"manifests/demo.yml": "kind: Deployment\n# v2\n..."},
        )
    )
    spin.settle()
    assert [e.pipeline_name for e in started] == ["Deploy to Staging"]
    run = spin.executions("artifact-promotion-demo", pipeline="Staging Judgement")[-1]
    assert run.status == "RUNNING"
    spin.judge(run, "Staging Judgement", "continue")
    spin.settle()
    prod = [d for d in spin.deployments() if d.account == "prod"][-1]
    staging = [d for d in spin.deployments() if d.account == "staging"][-1]
    assert staging.manifest is not None and staging.manifest.version == started[0].trigger["hash"]
    assert prod.content == [d for d in spin.deployments() if d.account == "staging"][-1].content
    assert prod.content == "kind: Deployment\n# v2\n..."
