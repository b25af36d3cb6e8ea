"""The shop application the promotion tests share: a manifest read from main, the web image, and its text."""

from __future__ import annotations

from spinpromote import DockerImage, DockerTrigger, ExpectedArtifact, GitHubFile

APP = "shop"
MANIFEST = ExpectedArtifact(
    display_name="manifest",
    match=GitHubFile(path="k8s/web.yml", artifact_account="github"),
    default=GitHubFile(path="k8s/web.yml", repo="acme/shop", version="main", artifact_account="github"),
    use_default_artifact=True,
)
"""The manifest, falling back to the tip of main (a branch: it moves)."""
IMAGE = ExpectedArtifact(display_name="web image", match=DockerImage(image="gcr.io/acme/web"))
DOCKER = DockerTrigger(account="gcr", registry="gcr.io", repository="acme/web")


def web(replicas: int = 1, tag: str = "latest") -> str:
    """The web Deployment; clouddriver binds the image artifact into its ``image:`` line."""
    return (
        f"kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n"
        f"      containers:\n        - image: gcr.io/acme/web:{tag}\n"
    )
