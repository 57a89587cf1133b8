// Lesson 1's graded exercise: the learner's first pod.
import { assertion, type Exercise } from "../../engine/checker";

/** `nginx`, `nginx:1.27`, `docker.io/library/nginx:latest` and digests all name the nginx image. */
export function isImage(image: string | undefined, name: string): boolean {
  if (!image) return false;
  const withoutDigest = image.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const repoAndTag = withoutDigest.slice(lastSlash + 1);
  const repo = repoAndTag.split(":")[0];
  const registryPath = withoutDigest.slice(0, lastSlash + 1);
  return repo === name && (registryPath === "" || /^(docker\.io\/)?(library\/)?$/.test(registryPath));
}

export const firstPod: Exercise = {
  id: "first-pod",
  title: "Run your first pod",
  watches: ["/api/v1/namespaces/default/pods"],
  async check({ core }) {
    const pods = await core.listNamespacedPod({ namespace: "default" });
    const web = pods.items.find((pod) => pod.metadata?.name === "web");
    const others = pods.items.map((pod) => pod.metadata?.name).filter(Boolean);
    const exists = assertion(
      "A pod named web exists in the default namespace",
      Boolean(web),
      "a pod named web",
      web ? "pod web exists" : others.length ? `no pod named web (pods here: ${others.join(", ")})` : "no pods in the default namespace yet",
    );
    if (!web) return [exists];
    const images = (web.spec?.containers ?? []).map((c) => c.image ?? "");
    const image = assertion(
      "It runs the nginx image",
      images.some((i) => isImage(i, "nginx")),
      "image nginx",
      images.length ? `image ${images.join(", ")}` : "no containers",
    );
    const waiting = web.status?.containerStatuses?.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason;
    const phase = web.metadata?.deletionTimestamp ? "Terminating" : (web.status?.phase ?? "Unknown");
    const running = assertion(
      "It is Running",
      phase === "Running",
      "status Running",
      waiting && phase !== "Running" ? `status ${phase} (${waiting})` : `status ${phase}`,
    );
    return [exists, image, running];
  },
};

export const exercises: Exercise[] = [firstPod];
