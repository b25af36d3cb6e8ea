"""Dev, then staging, then production in two regions at once; a Docker image bound into a manifest.

Gates: a wait after dev, a judgment after staging; production deploys only on weekdays, 9:00 to 17:00.

    python examples/multi_region.py
"""

from datetime import timedelta

from spinpromote import (
    DockerImage,
    DockerTrigger,
    ExecutionWindow,
    ExpectedArtifact,
    GitHubFile,
    HourRange,
    Notification,
    PromotionChain,
    Target,
    TrafficManagement,
)

manifest = ExpectedArtifact(
    display_name="shop-manifest",
    match=GitHubFile(path="deploy/shop.yml", artifact_account="github"),
    default=GitHubFile(path="deploy/shop.yml", repo="acme/shop", version="main", artifact_account="github"),
)
image = ExpectedArtifact(
    display_name="shop-image",
    match=DockerImage(image="gcr.io/acme/shop"),
)

chain = (
    PromotionChain("shop", artifact=manifest, required_artifacts=[image])
    .trigger(DockerTrigger(account="gcr", registry="gcr.io", organization="acme", repository="acme/shop", tag="^v.*"))
    .deploy("dev", account="dev", namespace="shop")
    .wait(timedelta(minutes=10), name="Soak in Dev")
    .deploy("staging", account="staging", namespace="shop")
    .judge(
        "Approve Production",
        instructions="Staging looks healthy?",
        notifications=[Notification.slack("#shop-releases", when=["manualJudgment", "manualJudgmentContinue"])],
        roles=["shop-owners"],
        timeout=timedelta(days=1),
    )
    .deploy(
        "production",
        targets=[
            Target(account="prod-us-east", namespace="shop", label="us-east"),
            Target(account="prod-eu-west", namespace="shop", label="eu-west"),
        ],
        traffic_management=TrafficManagement.bluegreen(["service shop"]),
        window=ExecutionWindow.weekdays(HourRange(start_hour=9, end_hour=17)),
    )
)

if __name__ == "__main__":
    import json

    chain.check()
    print(json.dumps(chain.render(), indent=2))
