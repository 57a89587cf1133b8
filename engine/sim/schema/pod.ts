// core/v1 Pod and everything inside a pod spec: containers, probes,
// volumes, scheduling constraints, security settings, and pod status.
import { bool, embed, enumOf, field, int32, int64, intOrString, list, mapOf, metaRef, pkg, quantity, str, time } from "./dsl";

const core = pkg("io.k8s.api.core.v1");

const CONDITION_STATUS = enumOf("False", "True", "Unknown");
const byName = { mergeKey: "name", strategy: "merge", listType: "map", mapKeys: ["name"] } as const;
const atomic = { listType: "atomic" } as const;

export const podSchema = core.kind("Pod", { group: "", version: "v1" }, "The smallest thing Kubernetes runs: one or more containers that share a network address and volumes, scheduled together onto one node.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the pod."),
  spec: field(2, core.ref("PodSpec"), "What the pod should run: its containers, volumes and scheduling wishes."),
  status: field(3, core.ref("PodStatus"), "What the pod is doing now, as reported by its node's kubelet. Read-only."),
});

core.object("PodTemplateSpec", "The pod a controller (Deployment, Job, ...) creates copies of.", {
  metadata: field(1, metaRef("ObjectMeta"), "Labels and annotations every created pod gets. The labels must match the controller's selector."),
  spec: field(2, core.ref("PodSpec"), "The spec of every created pod."),
});

core.object("PodSpec", "The desired contents and placement of a pod.", {
  volumes: field(1, list(core.ref("Volume"), { ...byName, strategy: "merge,retainKeys" }), "Storage the pod's containers can mount, each with a name the containers refer to."),
  initContainers: field(20, list(core.ref("Container"), byName), "Containers that run one after another, each to completion, before the main containers start. One with restartPolicy Always is a sidecar that keeps running."),
  containers: field(2, list(core.ref("Container"), byName), "The containers of the pod; at least one. They start together and share the pod's network.", { required: true }),
  restartPolicy: field(3, enumOf("Always", "Never", "OnFailure"), "When the kubelet restarts containers that exit: Always (the default), OnFailure (non-zero exit only) or Never.", { default: "Always" }),
  terminationGracePeriodSeconds: field(4, int64, "Seconds the containers get between the stop signal and being killed when the pod is deleted. Defaults to 30.", { ptr: true, default: 30 }),
  activeDeadlineSeconds: field(5, int64, "After this many seconds of running the pod is failed and its containers stopped.", { ptr: true }),
  dnsPolicy: field(6, enumOf("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"), "How the pod resolves names. ClusterFirst (the default) uses the cluster DNS, so service names resolve.", { default: "ClusterFirst" }),
  nodeSelector: field(7, mapOf(str), "Node labels the pod's node must carry, e.g. disktype: ssd."),
  serviceAccountName: field(8, str, "The ServiceAccount the pod runs as; its token is mounted into the containers. Defaults to default."),
  serviceAccount: field(9, str, "Deprecated alias of serviceAccountName."),
  automountServiceAccountToken: field(21, bool, "Whether to mount the service account token into the containers.", { ptr: true }),
  nodeName: field(10, str, "The node the pod runs on. The scheduler sets it; setting it yourself skips the scheduler."),
  hostNetwork: field(11, bool, "Use the node's network namespace instead of a pod address."),
  hostPID: field(12, bool, "Share the node's process namespace."),
  hostIPC: field(13, bool, "Share the node's IPC namespace."),
  shareProcessNamespace: field(27, bool, "Let the containers of the pod see each other's processes.", { ptr: true }),
  securityContext: field(14, core.ref("PodSecurityContext"), "Security settings for every container of the pod (user and group ids, fsGroup, seccomp)."),
  imagePullSecrets: field(15, list(core.ref("LocalObjectReference"), byName), "Secrets with registry credentials for pulling private images."),
  hostname: field(16, str, "The pod's hostname; defaults to the pod name."),
  subdomain: field(17, str, "With a headless Service of this name, the pod gets the DNS name <hostname>.<subdomain>.<namespace>.svc.cluster.local."),
  affinity: field(18, core.ref("Affinity"), "Rules that attract the pod to, or keep it away from, certain nodes and other pods."),
  schedulerName: field(19, str, "The scheduler that places this pod. Defaults to default-scheduler.", { default: "default-scheduler" }),
  tolerations: field(22, list(core.ref("Toleration"), atomic), "Taints the pod accepts on its node."),
  hostAliases: field(23, list(core.ref("HostAlias"), { mergeKey: "ip", strategy: "merge", listType: "map", mapKeys: ["ip"] }), "Extra lines for the containers' /etc/hosts."),
  priorityClassName: field(24, str, "A PriorityClass giving the pod's scheduling priority; higher priority pods may preempt lower ones."),
  priority: field(25, int32, "The priority value, filled in from priorityClassName by admission.", { ptr: true }),
  dnsConfig: field(26, core.ref("PodDNSConfig"), "Extra resolver settings merged with those of dnsPolicy."),
  readinessGates: field(28, list(core.ref("PodReadinessGate"), atomic), "Extra conditions that must be True before the pod counts as ready."),
  runtimeClassName: field(29, str, "A RuntimeClass choosing the container runtime handler.", { ptr: true }),
  enableServiceLinks: field(30, bool, "Put environment variables about the namespace's services (NAME_SERVICE_HOST, ...) into the containers. Defaults to true.", { ptr: true, default: true }),
  preemptionPolicy: field(31, enumOf("Never", "PreemptLowerPriority"), "Whether this pod may evict lower priority pods to get scheduled.", { ptr: true }),
  overhead: field(32, mapOf(quantity), "Resources the runtime itself uses for this pod, added to the containers' requests."),
  topologySpreadConstraints: field(33, list(core.ref("TopologySpreadConstraint"), { mergeKey: "topologyKey", strategy: "merge", listType: "map", mapKeys: ["topologyKey", "whenUnsatisfiable"] }), "How evenly matching pods must be spread across zones, nodes or other topology domains."),
  setHostnameAsFQDN: field(35, bool, "Make the container's hostname the fully qualified domain name.", { ptr: true }),
  os: field(36, core.ref("PodOS"), "The operating system the containers need (linux or windows)."),
  hostUsers: field(37, bool, "false: run the pod in its own user namespace.", { ptr: true }),
  schedulingGates: field(38, list(core.ref("PodSchedulingGate"), byName), "While any gate is listed the scheduler leaves the pod alone (STATUS SchedulingGated)."),
  resources: field(40, core.ref("ResourceRequirements"), "Resources for the pod as a whole, shared by its containers."),
});

core.object("Container", "One container of a pod: an image and how to run it.", {
  name: field(1, str, "Name of the container, unique within the pod (a DNS label).", { required: true }),
  image: field(2, str, "The container image, e.g. nginx:1.27 or registry.k8s.io/pause:3.10."),
  command: field(3, list(str, atomic), "Replaces the image's ENTRYPOINT. $(VAR) refers to an environment variable."),
  args: field(4, list(str, atomic), "Replaces the image's CMD: the arguments of the entrypoint."),
  workingDir: field(5, str, "The working directory; defaults to the image's."),
  ports: field(6, list(core.ref("ContainerPort"), { mergeKey: "containerPort", strategy: "merge", listType: "map", mapKeys: ["containerPort", "protocol"] }), "Ports the container listens on. Informational: a port not listed is still reachable."),
  envFrom: field(19, list(core.ref("EnvFromSource"), atomic), "Turn every key of a ConfigMap or Secret into an environment variable."),
  env: field(7, list(core.ref("EnvVar"), byName), "Environment variables of the container."),
  resources: field(8, core.ref("ResourceRequirements"), "CPU and memory the container requests (for scheduling) and may use at most (limits)."),
  restartPolicy: field(24, enumOf("Always"), "Only for init containers: Always makes it a sidecar that starts before and runs alongside the main containers.", { ptr: true }),
  volumeMounts: field(9, list(core.ref("VolumeMount"), { mergeKey: "mountPath", strategy: "merge", listType: "map", mapKeys: ["mountPath"] }), "Pod volumes to mount into the container's filesystem."),
  volumeDevices: field(21, list(core.ref("VolumeDevice"), { mergeKey: "devicePath", strategy: "merge", listType: "map", mapKeys: ["devicePath"] }), "Raw block volumes to expose as devices."),
  livenessProbe: field(10, core.ref("Probe"), "A check of whether the container still works; after enough failures the kubelet restarts it."),
  readinessProbe: field(11, core.ref("Probe"), "A check of whether the container can serve; while it fails the pod is not ready and gets no Service traffic."),
  startupProbe: field(22, core.ref("Probe"), "A check of whether the container has started; the other probes wait until it succeeds."),
  lifecycle: field(12, core.ref("Lifecycle"), "Actions to run right after the container starts and right before it stops."),
  terminationMessagePath: field(13, str, "File whose contents become the termination message. Defaults to /dev/termination-log.", { default: "/dev/termination-log" }),
  terminationMessagePolicy: field(20, enumOf("FallbackToLogsOnError", "File"), "Where the termination message comes from: File, or FallbackToLogsOnError (the last log lines when the file is empty and the container failed).", { default: "File" }),
  imagePullPolicy: field(14, enumOf("Always", "IfNotPresent", "Never"), "When to pull the image: Always, IfNotPresent or Never. Defaults to Always for :latest or no tag, IfNotPresent otherwise."),
  securityContext: field(15, core.ref("SecurityContext"), "Security settings of this container, overriding the pod's."),
  stdin: field(16, bool, "Keep a stdin open for the container (kubectl attach)."),
  stdinOnce: field(17, bool, "Close stdin after the first attached session ends."),
  tty: field(18, bool, "Give the container a terminal; needs stdin."),
});

core.object("ContainerPort", "A port a container listens on.", {
  name: field(1, str, "A name for the port (an IANA service name), which Services can use as targetPort."),
  hostPort: field(2, int32, "Also expose the port on the node's address. Rarely needed."),
  containerPort: field(3, int32, "Port number on the pod's address (1-65535).", { required: true }),
  protocol: field(4, enumOf("SCTP", "TCP", "UDP"), "TCP (the default), UDP or SCTP.", { default: "TCP" }),
  hostIP: field(5, str, "Node address to bind hostPort to."),
});

core.object("EnvVar", "One environment variable: a literal value or one read from elsewhere.", {
  name: field(1, str, "Name of the variable.", { required: true }),
  value: field(2, str, "The value; $(OTHER) expands earlier variables."),
  valueFrom: field(3, core.ref("EnvVarSource"), "Read the value from a ConfigMap, Secret, pod field or resource limit instead."),
});

core.object("EnvVarSource", "Where an environment variable's value comes from; set exactly one.", {
  fieldRef: field(1, core.ref("ObjectFieldSelector"), "A field of the pod: metadata.name, metadata.namespace, spec.nodeName, status.podIP, ..."),
  resourceFieldRef: field(2, core.ref("ResourceFieldSelector"), "A request or limit of a container, e.g. limits.memory."),
  configMapKeyRef: field(3, core.ref("ConfigMapKeySelector"), "One key of a ConfigMap."),
  secretKeyRef: field(4, core.ref("SecretKeySelector"), "One key of a Secret."),
});

core.object("EnvFromSource", "A ConfigMap or Secret whose keys all become environment variables.", {
  prefix: field(1, str, "Put this in front of every variable name."),
  configMapRef: field(2, core.ref("ConfigMapEnvSource"), "The ConfigMap to read."),
  secretRef: field(3, core.ref("SecretEnvSource"), "The Secret to read."),
});

core.object("LocalObjectReference", "Names an object in the same namespace.", {
  name: field(1, str, "Name of the object.", { default: "" }),
});

core.object("ConfigMapEnvSource", "Reads every key of a ConfigMap into the environment.", {
  optional: field(2, bool, "Start the container even when the ConfigMap does not exist.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("SecretEnvSource", "Reads every key of a Secret into the environment.", {
  optional: field(2, bool, "Start the container even when the Secret does not exist.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("ConfigMapKeySelector", "One key of a ConfigMap.", {
  key: field(2, str, "The key to read.", { required: true }),
  optional: field(3, bool, "Leave the variable unset instead of failing when the ConfigMap or key is missing.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("SecretKeySelector", "One key of a Secret.", {
  key: field(2, str, "The key to read.", { required: true }),
  optional: field(3, bool, "Leave the variable unset instead of failing when the Secret or key is missing.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("ObjectFieldSelector", "A field of the pod, by path.", {
  apiVersion: field(1, str, "Version the path is written against; defaults to v1."),
  fieldPath: field(2, str, "Path of the field, e.g. metadata.labels['app'] or status.podIP.", { required: true }),
});

core.object("ResourceFieldSelector", "A container's request or limit, e.g. for the downward API.", {
  containerName: field(1, str, "The container; required for volumes, optional for env."),
  resource: field(2, str, "Which value: limits.cpu, limits.memory, requests.cpu, requests.memory, ...", { required: true }),
  divisor: field(3, quantity, "Unit the value is expressed in, e.g. 1Mi; defaults to 1."),
});

core.object("ResourceRequirements", "Compute resources: what is reserved for scheduling and what may be used at most.", {
  limits: field(1, mapOf(quantity), "The most the container may use, e.g. cpu: 500m, memory: 256Mi. Over the memory limit the container is killed (OOMKilled)."),
  requests: field(2, mapOf(quantity), "What the scheduler reserves on the node for the container. Defaults to the limits when only limits are set."),
});

core.object("VolumeMount", "Where a pod volume appears inside a container.", {
  name: field(1, str, "Name of the pod volume.", { required: true }),
  readOnly: field(2, bool, "Mount read-only."),
  recursiveReadOnly: field(7, enumOf("Disabled", "Enabled", "IfPossible"), "Make submounts read-only too.", { ptr: true }),
  mountPath: field(3, str, "Absolute path in the container, e.g. /usr/share/nginx/html.", { required: true }),
  subPath: field(4, str, "Mount only this path inside the volume."),
  mountPropagation: field(5, enumOf("Bidirectional", "HostToContainer", "None"), "Whether mounts made later propagate between host and container.", { ptr: true }),
  subPathExpr: field(6, str, "Like subPath, with $(VAR) environment expansion."),
});

core.object("VolumeDevice", "A raw block volume exposed as a device file.", {
  name: field(1, str, "Name of a PersistentVolumeClaim volume of the pod.", { required: true }),
  devicePath: field(2, str, "Path of the device inside the container.", { required: true }),
});

core.object("Probe", "A periodic health check of a container: run a command, GET a URL or open a TCP connection.", {
  initialDelaySeconds: field(2, int32, "Seconds to wait after the container starts before the first check."),
  timeoutSeconds: field(3, int32, "Seconds a check may take. Defaults to 1.", { default: 1 }),
  periodSeconds: field(4, int32, "Seconds between checks. Defaults to 10.", { default: 10 }),
  successThreshold: field(5, int32, "Successes in a row that count as passing after a failure. Defaults to 1 (must be 1 for liveness and startup).", { default: 1 }),
  failureThreshold: field(6, int32, "Failures in a row that count as failed. Defaults to 3.", { default: 3 }),
  terminationGracePeriodSeconds: field(7, int64, "Grace period when a failed probe kills the container, instead of the pod's.", { ptr: true }),
}, { inline: [embed(1, core.ref("ProbeHandler"))] });

core.object("ProbeHandler", "The check a probe makes; set exactly one.", {
  exec: field(1, core.ref("ExecAction"), "Run a command in the container; exit code 0 is healthy."),
  httpGet: field(2, core.ref("HTTPGetAction"), "GET a URL on the pod; a status from 200 to 399 is healthy."),
  tcpSocket: field(3, core.ref("TCPSocketAction"), "Open a TCP connection; connecting is healthy."),
  grpc: field(4, core.ref("GRPCAction"), "Call the gRPC health checking service."),
});

core.object("ExecAction", "A command to run inside the container.", {
  command: field(1, list(str, atomic), "The command and its arguments; not run in a shell unless you call one (sh -c ...)."),
});

core.object("HTTPGetAction", "An HTTP GET request.", {
  path: field(1, str, "Path of the URL, e.g. /healthz."),
  port: field(2, intOrString, "Port number or container port name.", { required: true }),
  host: field(3, str, "Host to connect to; defaults to the pod's IP."),
  scheme: field(4, enumOf("HTTP", "HTTPS"), "HTTP (the default) or HTTPS.", { default: "HTTP" }),
  httpHeaders: field(5, list(core.ref("HTTPHeader"), atomic), "Extra request headers."),
});

core.object("HTTPHeader", "One HTTP header.", {
  name: field(1, str, "Header name.", { required: true }),
  value: field(2, str, "Header value.", { required: true }),
});

core.object("TCPSocketAction", "A TCP connection attempt.", {
  port: field(1, intOrString, "Port number or container port name.", { required: true }),
  host: field(2, str, "Host to connect to; defaults to the pod's IP."),
});

core.object("GRPCAction", "A call to the standard gRPC health service.", {
  port: field(1, int32, "Port of the gRPC server.", { required: true }),
  service: field(2, str, "Service name to ask about; empty asks about the server.", { ptr: true, default: "" }),
});

core.object("Lifecycle", "Hooks around a container's start and stop.", {
  postStart: field(1, core.ref("LifecycleHandler"), "Runs right after the container is created; the container is not running until it finishes."),
  preStop: field(2, core.ref("LifecycleHandler"), "Runs before the container is stopped, within the grace period."),
});

core.object("LifecycleHandler", "The action of a lifecycle hook; set exactly one.", {
  exec: field(1, core.ref("ExecAction"), "Run a command in the container."),
  httpGet: field(2, core.ref("HTTPGetAction"), "Send an HTTP GET to the container."),
  tcpSocket: field(3, core.ref("TCPSocketAction"), "Deprecated: open a TCP connection."),
});

core.object("SecurityContext", "Security settings of one container.", {
  capabilities: field(1, core.ref("Capabilities"), "Linux capabilities to add to or drop from the runtime's default set."),
  privileged: field(2, bool, "Run with nearly all the powers of root on the node. Avoid.", { ptr: true }),
  runAsUser: field(4, int64, "User id the container's process runs as.", { ptr: true }),
  runAsGroup: field(8, int64, "Primary group id of the container's process.", { ptr: true }),
  runAsNonRoot: field(5, bool, "Refuse to start the container if it would run as user 0.", { ptr: true }),
  readOnlyRootFilesystem: field(6, bool, "Make the container's root filesystem read-only.", { ptr: true }),
  allowPrivilegeEscalation: field(7, bool, "Whether a process may gain more privileges than its parent (setuid binaries).", { ptr: true }),
  procMount: field(9, enumOf("Default", "Unmasked"), "How /proc is mounted.", { ptr: true }),
  seccompProfile: field(11, core.ref("SeccompProfile"), "The seccomp system-call filter."),
});

core.object("PodSecurityContext", "Security settings that apply to every container of a pod.", {
  runAsUser: field(2, int64, "User id the containers' processes run as.", { ptr: true }),
  runAsGroup: field(6, int64, "Primary group id of the containers' processes.", { ptr: true }),
  runAsNonRoot: field(3, bool, "Refuse to start containers that would run as user 0.", { ptr: true }),
  supplementalGroups: field(4, list(int64, atomic), "Extra group ids for the containers' processes."),
  fsGroup: field(5, int64, "Group that owns mounted volumes, added to every process.", { ptr: true }),
  sysctls: field(7, list(core.ref("Sysctl"), atomic), "Namespaced kernel parameters to set for the pod."),
  fsGroupChangePolicy: field(9, enumOf("Always", "OnRootMismatch"), "When to change volume ownership to fsGroup.", { ptr: true }),
  seccompProfile: field(10, core.ref("SeccompProfile"), "The seccomp filter for all containers."),
});

core.object("Capabilities", "Linux capabilities to add and drop.", {
  add: field(1, list(str, atomic), "Capabilities to add, e.g. NET_ADMIN."),
  drop: field(2, list(str, atomic), "Capabilities to drop, e.g. ALL."),
});

core.object("Sysctl", "One kernel parameter.", {
  name: field(1, str, "Parameter name.", { required: true }),
  value: field(2, str, "Parameter value.", { required: true }),
});

core.object("SeccompProfile", "A seccomp profile.", {
  type: field(1, enumOf("Localhost", "RuntimeDefault", "Unconfined"), "RuntimeDefault (the runtime's filter), Localhost (a file on the node) or Unconfined.", { required: true }),
  localhostProfile: field(2, str, "Path of the profile file, for Localhost.", { ptr: true }),
});

core.object("Volume", "A named piece of storage in a pod; set exactly one source (emptyDir, configMap, secret, ...).", {
  name: field(1, str, "Name the containers' volumeMounts use.", { required: true }),
}, { inline: [embed(2, core.ref("VolumeSource"))] });

core.object("VolumeSource", "Where a volume's data comes from (the sources this simulator knows).", {
  hostPath: field(1, core.ref("HostPathVolumeSource"), "A file or directory of the node. Ties the pod to the node's data; mostly for system pods."),
  emptyDir: field(2, core.ref("EmptyDirVolumeSource"), "An empty directory created with the pod and deleted with it, shared by its containers."),
  secret: field(6, core.ref("SecretVolumeSource"), "The keys of a Secret as files."),
  nfs: field(7, core.ref("NFSVolumeSource"), "A directory exported by an NFS server."),
  persistentVolumeClaim: field(10, core.ref("PersistentVolumeClaimVolumeSource"), "Storage claimed by a PersistentVolumeClaim in the same namespace."),
  downwardAPI: field(16, core.ref("DownwardAPIVolumeSource"), "Pod fields (labels, annotations, ...) as files."),
  configMap: field(19, core.ref("ConfigMapVolumeSource"), "The keys of a ConfigMap as files."),
  projected: field(26, core.ref("ProjectedVolumeSource"), "Several sources (secrets, configMaps, downward API, service account token) in one directory."),
});

core.object("HostPathVolumeSource", "A path on the node.", {
  path: field(1, str, "Path on the node.", { required: true }),
  type: field(2, enumOf("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"), "What must exist at the path; empty checks nothing.", { ptr: true }),
});

core.object("EmptyDirVolumeSource", "A scratch directory that lives as long as the pod.", {
  medium: field(1, enumOf("", "HugePages", "HugePages-", "Memory"), "Empty for the node's disk, Memory for a tmpfs."),
  sizeLimit: field(2, quantity, "Most the volume may hold, e.g. 1Gi.", { ptr: true }),
});

core.object("SecretVolumeSource", "A Secret mounted as files, one per key.", {
  secretName: field(1, str, "Name of the Secret."),
  items: field(2, list(core.ref("KeyToPath"), atomic), "Only these keys, at these paths; default: every key, named after it."),
  defaultMode: field(3, int32, "File mode bits (0644 is 420).", { ptr: true }),
  optional: field(4, bool, "Mount an empty volume when the Secret does not exist.", { ptr: true }),
});

core.object("ConfigMapVolumeSource", "A ConfigMap mounted as files, one per key.", {
  items: field(2, list(core.ref("KeyToPath"), atomic), "Only these keys, at these paths; default: every key, named after it."),
  defaultMode: field(3, int32, "File mode bits (0644 is 420).", { ptr: true }),
  optional: field(4, bool, "Mount an empty volume when the ConfigMap does not exist.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("KeyToPath", "One key of a ConfigMap or Secret and the file it becomes.", {
  key: field(1, str, "The key.", { required: true }),
  path: field(2, str, "Relative file path in the volume.", { required: true }),
  mode: field(3, int32, "File mode bits of this file.", { ptr: true }),
});

core.object("NFSVolumeSource", "An NFS export.", {
  server: field(1, str, "Host name or address of the NFS server.", { required: true }),
  path: field(2, str, "Exported path.", { required: true }),
  readOnly: field(3, bool, "Mount read-only."),
});

core.object("PersistentVolumeClaimVolumeSource", "Mounts the volume bound to a claim.", {
  claimName: field(1, str, "Name of the PersistentVolumeClaim.", { required: true }),
  readOnly: field(2, bool, "Mount read-only."),
});

core.object("DownwardAPIVolumeSource", "Pod information as files.", {
  items: field(1, list(core.ref("DownwardAPIVolumeFile"), atomic), "The files to create."),
  defaultMode: field(2, int32, "File mode bits.", { ptr: true }),
});

core.object("DownwardAPIVolumeFile", "One file of pod information.", {
  path: field(1, str, "Relative file path.", { required: true }),
  fieldRef: field(2, core.ref("ObjectFieldSelector"), "The pod field to write (labels, annotations, name, namespace, uid)."),
  resourceFieldRef: field(3, core.ref("ResourceFieldSelector"), "The container request or limit to write."),
  mode: field(4, int32, "File mode bits.", { ptr: true }),
});

core.object("ProjectedVolumeSource", "Several sources combined in one directory.", {
  sources: field(1, list(core.ref("VolumeProjection"), atomic), "The sources."),
  defaultMode: field(2, int32, "File mode bits.", { ptr: true }),
});

core.object("VolumeProjection", "One source of a projected volume; set exactly one.", {
  secret: field(1, core.ref("SecretProjection"), "Keys of a Secret."),
  downwardAPI: field(2, core.ref("DownwardAPIProjection"), "Pod information."),
  configMap: field(3, core.ref("ConfigMapProjection"), "Keys of a ConfigMap."),
  serviceAccountToken: field(4, core.ref("ServiceAccountTokenProjection"), "A short-lived token of the pod's service account."),
});

core.object("SecretProjection", "Keys of a Secret in a projected volume.", {
  items: field(2, list(core.ref("KeyToPath"), atomic), "Only these keys, at these paths."),
  optional: field(4, bool, "Skip when the Secret does not exist.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("ConfigMapProjection", "Keys of a ConfigMap in a projected volume.", {
  items: field(2, list(core.ref("KeyToPath"), atomic), "Only these keys, at these paths."),
  optional: field(4, bool, "Skip when the ConfigMap does not exist.", { ptr: true }),
}, { inline: [embed(1, core.ref("LocalObjectReference"))] });

core.object("DownwardAPIProjection", "Pod information in a projected volume.", {
  items: field(1, list(core.ref("DownwardAPIVolumeFile"), atomic), "The files to create."),
});

core.object("ServiceAccountTokenProjection", "A token of the pod's service account, refreshed by the kubelet.", {
  audience: field(1, str, "Who the token is meant for; defaults to the API server."),
  expirationSeconds: field(2, int64, "Requested lifetime in seconds; defaults to one hour.", { ptr: true }),
  path: field(3, str, "File path of the token.", { required: true }),
});

export const persistentVolumeClaimSchema = core.kind("PersistentVolumeClaim", { group: "", version: "v1" }, "A request for storage, bound by the cluster to a PersistentVolume.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the claim."),
  spec: field(2, core.ref("PersistentVolumeClaimSpec"), "How much storage, of which class and access mode."),
  status: field(3, core.ref("PersistentVolumeClaimStatus"), "Whether the claim is bound, and to how much. Read-only."),
});

const ACCESS_MODES = enumOf("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");

core.object("PersistentVolumeClaimSpec", "What a claim asks for.", {
  accessModes: field(1, list(ACCESS_MODES, atomic), "How the volume may be mounted: ReadWriteOnce (one node), ReadOnlyMany, ReadWriteMany, ReadWriteOncePod."),
  selector: field(4, metaRef("LabelSelector"), "Only bind to volumes with these labels."),
  resources: field(2, core.ref("VolumeResourceRequirements"), "The size wanted (requests.storage)."),
  volumeName: field(3, str, "Bind to this PersistentVolume."),
  storageClassName: field(5, str, "The StorageClass to provision from; empty string means none; unset means the default class.", { ptr: true }),
  volumeMode: field(6, enumOf("Block", "Filesystem"), "Filesystem (the default) or Block.", { ptr: true }),
  dataSource: field(7, core.ref("TypedLocalObjectReference"), "Fill the new volume from a snapshot or another claim."),
  dataSourceRef: field(8, core.ref("TypedObjectReference"), "Like dataSource, for any populator."),
  volumeAttributesClassName: field(9, str, "A VolumeAttributesClass for mutable volume attributes.", { ptr: true }),
});

core.object("VolumeResourceRequirements", "Storage size of a claim.", {
  limits: field(1, mapOf(quantity), "Largest size wanted."),
  requests: field(2, mapOf(quantity), "Smallest size wanted, e.g. storage: 1Gi."),
});

core.object("PersistentVolumeClaimStatus", "The state of a claim.", {
  phase: field(1, enumOf("Bound", "Lost", "Pending"), "Pending until bound, then Bound."),
  accessModes: field(2, list(ACCESS_MODES, atomic), "Access modes of the bound volume."),
  capacity: field(3, mapOf(quantity), "Size of the bound volume."),
  conditions: field(4, list(core.ref("PersistentVolumeClaimCondition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "Progress of resizing and modifications."),
  allocatedResources: field(5, mapOf(quantity), "Size being allocated during a resize."),
  allocatedResourceStatuses: field(7, mapOf(str), "Resize progress per resource."),
  currentVolumeAttributesClassName: field(8, str, "VolumeAttributesClass in effect.", { ptr: true }),
  modifyVolumeStatus: field(9, core.ref("ModifyVolumeStatus"), "Progress of a volume modification."),
});

core.object("PersistentVolumeClaimCondition", "One condition of a claim.", {
  type: field(1, str, "What the condition is about (Resizing, FileSystemResizePending, ...).", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastProbeTime: field(3, time, "When it was last checked."),
  lastTransitionTime: field(4, time, "When status last changed."),
  reason: field(5, str, "One-word cause."),
  message: field(6, str, "Details for people."),
});

core.object("ModifyVolumeStatus", "Progress of changing a volume's attributes class.", {
  targetVolumeAttributesClassName: field(1, str, "The class being applied."),
  status: field(2, enumOf("InProgress", "Infeasible", "Pending"), "Where the change stands.", { required: true }),
});

core.object("TypedLocalObjectReference", "An object of a given kind in the same namespace.", {
  apiGroup: field(1, str, "API group of the kind; empty for the core group.", { ptr: true }),
  kind: field(2, str, "Kind of the object.", { required: true }),
  name: field(3, str, "Name of the object.", { required: true }),
});

core.object("TypedObjectReference", "An object of a given kind, possibly in another namespace.", {
  apiGroup: field(1, str, "API group of the kind; empty for the core group.", { ptr: true }),
  kind: field(2, str, "Kind of the object.", { required: true }),
  name: field(3, str, "Name of the object.", { required: true }),
  namespace: field(4, str, "Namespace of the object.", { ptr: true }),
});

core.object("Affinity", "Scheduling preferences and requirements relative to nodes and other pods.", {
  nodeAffinity: field(1, core.ref("NodeAffinity"), "Which nodes the pod may or would like to run on, by node labels."),
  podAffinity: field(2, core.ref("PodAffinity"), "Run near pods with certain labels (same node, zone, ...)."),
  podAntiAffinity: field(3, core.ref("PodAntiAffinity"), "Stay away from pods with certain labels, e.g. to spread replicas over nodes."),
});

core.object("NodeAffinity", "Node label rules for placing a pod.", {
  requiredDuringSchedulingIgnoredDuringExecution: field(1, core.ref("NodeSelector"), "Hard rule: the pod is only scheduled onto nodes that match. Label changes later do not evict it."),
  preferredDuringSchedulingIgnoredDuringExecution: field(2, list(core.ref("PreferredSchedulingTerm"), atomic), "Soft rules: matching nodes score higher by the term's weight."),
});

core.object("NodeSelector", "Node terms of which at least one must match.", {
  nodeSelectorTerms: field(1, list(core.ref("NodeSelectorTerm"), atomic), "The terms; they are ORed.", { required: true }),
});

core.object("NodeSelectorTerm", "Conditions on a node, all of which must hold.", {
  matchExpressions: field(1, list(core.ref("NodeSelectorRequirement"), atomic), "Conditions on node labels."),
  matchFields: field(2, list(core.ref("NodeSelectorRequirement"), atomic), "Conditions on node fields (metadata.name)."),
});

core.object("NodeSelectorRequirement", "One condition on a node label or field.", {
  key: field(1, str, "The label key or field.", { required: true }),
  operator: field(2, enumOf("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"), "In, NotIn, Exists, DoesNotExist, Gt or Lt (numeric).", { required: true }),
  values: field(3, list(str, atomic), "Values for In, NotIn (several), Gt and Lt (one)."),
});

core.object("PreferredSchedulingTerm", "A weighted soft node rule.", {
  weight: field(1, int32, "Score added for a matching node, 1-100.", { required: true }),
  preference: field(2, core.ref("NodeSelectorTerm"), "The rule.", { required: true }),
});

core.object("PodAffinity", "Rules to run near certain pods.", {
  requiredDuringSchedulingIgnoredDuringExecution: field(1, list(core.ref("PodAffinityTerm"), atomic), "Hard rules; all must hold."),
  preferredDuringSchedulingIgnoredDuringExecution: field(2, list(core.ref("WeightedPodAffinityTerm"), atomic), "Soft rules, weighted."),
});

core.object("PodAntiAffinity", "Rules to stay away from certain pods.", {
  requiredDuringSchedulingIgnoredDuringExecution: field(1, list(core.ref("PodAffinityTerm"), atomic), "Hard rules; all must hold."),
  preferredDuringSchedulingIgnoredDuringExecution: field(2, list(core.ref("WeightedPodAffinityTerm"), atomic), "Soft rules, weighted."),
});

core.object("PodAffinityTerm", "Pods to be near (or away from), within one topology domain.", {
  labelSelector: field(1, metaRef("LabelSelector"), "Which pods count."),
  namespaces: field(2, list(str, atomic), "Namespaces to look in; default: the pod's own."),
  topologyKey: field(3, str, "Node label that defines the domain, e.g. kubernetes.io/hostname (same node) or topology.kubernetes.io/zone.", { required: true }),
  namespaceSelector: field(4, metaRef("LabelSelector"), "Namespaces to look in, by label."),
  matchLabelKeys: field(5, list(str, atomic), "Label keys whose values, taken from this pod, are added to labelSelector."),
  mismatchLabelKeys: field(6, list(str, atomic), "Label keys whose values must differ from this pod's."),
});

core.object("WeightedPodAffinityTerm", "A weighted soft pod rule.", {
  weight: field(1, int32, "Score for a matching node, 1-100.", { required: true }),
  podAffinityTerm: field(2, core.ref("PodAffinityTerm"), "The rule.", { required: true }),
});

core.object("Toleration", "Lets a pod be scheduled onto (or stay on) nodes with a matching taint.", {
  key: field(1, str, "Taint key to match; empty with operator Exists matches every taint."),
  operator: field(2, enumOf("Equal", "Exists"), "Equal (the default) compares value; Exists ignores it."),
  value: field(3, str, "Taint value to match, for Equal."),
  effect: field(4, enumOf("NoExecute", "NoSchedule", "PreferNoSchedule"), "Taint effect to match; empty matches all."),
  tolerationSeconds: field(5, int64, "For NoExecute: how long the pod may stay once the taint appears.", { ptr: true }),
});

core.object("HostAlias", "An /etc/hosts entry.", {
  ip: field(1, str, "The address.", { required: true }),
  hostnames: field(2, list(str, atomic), "Names for it."),
});

core.object("PodDNSConfig", "Resolver settings of a pod.", {
  nameservers: field(1, list(str, atomic), "DNS server addresses."),
  searches: field(2, list(str, atomic), "Search domains."),
  options: field(3, list(core.ref("PodDNSConfigOption"), atomic), "Resolver options such as ndots."),
});

core.object("PodDNSConfigOption", "One resolver option.", {
  name: field(1, str, "Option name, e.g. ndots."),
  value: field(2, str, "Option value.", { ptr: true }),
});

const POD_CONDITION = enumOf("ContainersReady", "DisruptionTarget", "Initialized", "PodReadyToStartContainers", "PodScheduled", "Ready");

core.object("PodReadinessGate", "An extra condition for pod readiness.", {
  conditionType: field(1, str, "A condition type in the pod's status that must be True.", { required: true }),
});

core.object("TopologySpreadConstraint", "How evenly matching pods must be spread over topology domains.", {
  maxSkew: field(1, int32, "Largest allowed difference in matching pods between two domains.", { required: true }),
  topologyKey: field(2, str, "Node label defining the domains, e.g. topology.kubernetes.io/zone.", { required: true }),
  whenUnsatisfiable: field(3, enumOf("DoNotSchedule", "ScheduleAnyway"), "DoNotSchedule keeps the pod pending; ScheduleAnyway only prefers balance.", { required: true }),
  labelSelector: field(4, metaRef("LabelSelector"), "Which pods are counted."),
  minDomains: field(5, int32, "Minimum number of eligible domains.", { ptr: true }),
  nodeAffinityPolicy: field(6, enumOf("Honor", "Ignore"), "Whether nodeAffinity/nodeSelector limit the domains.", { ptr: true }),
  nodeTaintsPolicy: field(7, enumOf("Honor", "Ignore"), "Whether node taints limit the domains.", { ptr: true }),
  matchLabelKeys: field(8, list(str, atomic), "Label keys whose values, taken from this pod, narrow the selector."),
});

core.object("PodOS", "The operating system of a pod.", {
  name: field(1, enumOf("linux", "windows"), "linux or windows.", { required: true }),
});

core.object("PodSchedulingGate", "A gate that holds a pod back from scheduling.", {
  name: field(1, str, "Name of the gate.", { required: true }),
});

core.object("PodStatus", "The observed state of a pod.", {
  phase: field(1, enumOf("Failed", "Pending", "Running", "Succeeded", "Unknown"), "Pending, Running, Succeeded, Failed or Unknown: a coarse summary. kubectl's STATUS column looks deeper."),
  conditions: field(2, list(core.ref("PodCondition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "PodScheduled, Initialized, ContainersReady, Ready, ..."),
  message: field(3, str, "Why the pod is in this state, for people."),
  reason: field(4, str, "One-word reason, e.g. Evicted."),
  nominatedNodeName: field(11, str, "Node where room is being made by preemption."),
  hostIP: field(5, str, "Address of the pod's node."),
  hostIPs: field(16, list(core.ref("HostIP"), { mergeKey: "ip", strategy: "merge", listType: "atomic" }), "Addresses of the pod's node."),
  podIP: field(6, str, "The pod's address in the cluster network."),
  podIPs: field(12, list(core.ref("PodIP"), { mergeKey: "ip", strategy: "merge", listType: "map", mapKeys: ["ip"] }), "The pod's addresses (one per IP family)."),
  startTime: field(7, time, "When the kubelet accepted the pod.", { ptr: true }),
  initContainerStatuses: field(10, list(core.ref("ContainerStatus"), atomic), "State of each init container."),
  containerStatuses: field(8, list(core.ref("ContainerStatus"), atomic), "State of each container."),
  qosClass: field(9, enumOf("BestEffort", "Burstable", "Guaranteed"), "Guaranteed, Burstable or BestEffort, from the requests and limits."),
  resize: field(14, enumOf("Deferred", "InProgress", "Infeasible", "Proposed"), "Progress of an in-place resource resize."),
});

core.object("PodCondition", "One condition of a pod.", {
  type: field(1, POD_CONDITION, "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastProbeTime: field(3, time, "When it was last checked."),
  lastTransitionTime: field(4, time, "When status last changed."),
  reason: field(5, str, "One-word cause."),
  message: field(6, str, "Details for people."),
});

core.object("HostIP", "One address of the pod's node.", {
  ip: field(1, str, "The address.", { required: true }),
});

core.object("PodIP", "One address of the pod.", {
  ip: field(1, str, "The address.", { required: true }),
});

core.object("ContainerStatus", "The observed state of one container.", {
  name: field(1, str, "Name of the container.", { required: true }),
  state: field(2, core.ref("ContainerState"), "What the container is doing now."),
  lastState: field(3, core.ref("ContainerState"), "How the previous run ended, after a restart."),
  ready: field(4, bool, "Whether the readiness probe passes (or the container runs, without one).", { required: true }),
  restartCount: field(5, int32, "How often the container was restarted.", { required: true }),
  image: field(6, str, "The image running.", { required: true }),
  imageID: field(7, str, "The image's digest reference.", { required: true }),
  containerID: field(8, str, "Runtime id of the container, e.g. containerd://..."),
  started: field(9, bool, "Whether the startup probe passed (or the container started, without one).", { ptr: true }),
  allocatedResources: field(10, mapOf(quantity), "Resources the node allocated to the container."),
  resources: field(11, core.ref("ResourceRequirements"), "Requests and limits in effect."),
});

core.object("ContainerState", "Exactly one of waiting, running, terminated.", {
  waiting: field(1, core.ref("ContainerStateWaiting"), "Not running yet (ContainerCreating, ImagePullBackOff, CrashLoopBackOff, ...)."),
  running: field(2, core.ref("ContainerStateRunning"), "Running."),
  terminated: field(3, core.ref("ContainerStateTerminated"), "Ended, with an exit code."),
});

core.object("ContainerStateWaiting", "A container that is not running yet.", {
  reason: field(1, str, "Why, in one word."),
  message: field(2, str, "Details for people."),
});

core.object("ContainerStateRunning", "A running container.", {
  startedAt: field(1, time, "When it (re)started."),
});

core.object("ContainerStateTerminated", "A container that ended.", {
  exitCode: field(1, int32, "Exit code of its process.", { required: true }),
  signal: field(2, int32, "Signal that ended it, if any."),
  reason: field(3, str, "Completed, Error, OOMKilled, ..."),
  message: field(4, str, "Details for people."),
  startedAt: field(5, time, "When it started."),
  finishedAt: field(6, time, "When it ended."),
  containerID: field(7, str, "Runtime id of the container."),
});
