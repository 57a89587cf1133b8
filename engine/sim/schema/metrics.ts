// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: what metrics-server
// serves and `kubectl top` prints. Read-only, computed when asked.
import { duration, field, list, mapOf, metaRef, pkg, quantity, str, time } from "./dsl";

const metrics = pkg("io.k8s.metrics.pkg.apis.metrics.v1beta1");
const metricsV1beta1 = { group: "metrics.k8s.io", version: "v1beta1" };

const USAGE = "Resources in use, averaged over the window: cpu in cores (n = nanocores), memory as the working set.";

export const nodeMetricsSchema = metrics.kind("NodeMetrics", metricsV1beta1, "The CPU and memory a node uses right now, as its kubelet measured it (kubectl top node).", {
  metadata: field(1, metaRef("ObjectMeta"), "The node's name and labels."),
  timestamp: field(2, time, "When the usage was measured: the end of the window.", { required: true }),
  window: field(3, duration, "The span the usage was averaged over, e.g. 15s.", { required: true }),
  usage: field(4, mapOf(quantity), USAGE, { required: true }),
});

export const podMetricsSchema = metrics.kind("PodMetrics", metricsV1beta1, "The CPU and memory each container of a running pod uses right now (kubectl top pod).", {
  metadata: field(1, metaRef("ObjectMeta"), "The pod's name, namespace and labels."),
  timestamp: field(2, time, "When the usage was measured: the end of the window.", { required: true }),
  window: field(3, duration, "The span the usage was averaged over, e.g. 15s.", { required: true }),
  containers: field(4, list(metrics.ref("ContainerMetrics"), { listType: "atomic" }), "Usage per container.", { required: true }),
});

metrics.object("ContainerMetrics", "The usage of one container.", {
  name: field(1, str, "The container's name.", { required: true }),
  usage: field(2, mapOf(quantity), USAGE, { required: true }),
});
