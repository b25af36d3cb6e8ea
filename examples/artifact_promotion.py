"""The seed workflow: Deploy to Staging, Staging Judgement, Deploy to Production.

Run it to print the three pipelines as Spinnaker stores them:

    python examples/artifact_promotion.py
"""

from spinpromote import ExpectedArtifact, GitHubFile, GitTrigger, PromotionChain

manifest = ExpectedArtifact(
    display_name="demo-manifest",
    match=GitHubFile(path="manifests/demo.yml", artifact_account="github"),
    default=GitHubFile(path="manifests/demo.yml", repo="acme/demo", version="main", artifact_account="github"),
)

chain = (
    PromotionChain("artifact-promotion-demo", artifact=manifest)
    .trigger(GitTrigger(source="github", project="acme", slug="demo", branch="main"))
    .deploy("staging", account="staging")
    .judge("Staging Judgement", instructions="Verify the staging deployment, then continue.")
    .deploy("production", account="prod")
)

if __name__ == "__main__":
    import json

    chain.check()
    print(json.dumps(chain.render(), indent=2))
