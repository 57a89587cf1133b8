// Storage and policy kinds learners write by hand: PersistentVolume,
// StorageClass, LimitRange and NetworkPolicy; and the storage.k8s.io kinds
// CSI drivers and the attach/detach controller keep (CSIDriver, CSINode,
// CSIStorageCapacity, VolumeAttachment).
import { bool, coreRef, embed, enumOf, field, int32, int64, intOrString, list, mapOf, metaRef, pkg, quantity, str, time } from "./dsl";

const core = pkg("io.k8s.api.core.v1");
const storage = pkg("io.k8s.api.storage.v1");
const networking = pkg("io.k8s.api.networking.v1");

const atomic = { listType: "atomic" } as const;
const RECLAIM = enumOf("Delete", "Recycle", "Retain");

export const persistentVolumeSchema = core.kind("PersistentVolume", { group: "", version: "v1" }, "A piece of storage in the cluster, provisioned by an administrator or a StorageClass, that a PersistentVolumeClaim can bind to.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and labels of the volume (volumes are not namespaced)."),
  spec: field(2, core.ref("PersistentVolumeSpec"), "Size, access modes and where the storage is."),
  status: field(3, core.ref("PersistentVolumeStatus"), "Available, Bound, Released or Failed. Read-only."),
});

core.object("PersistentVolumeSpec", "The description of a volume; set exactly one storage source (hostPath, nfs, local, csi).", {
  capacity: field(1, mapOf(quantity), "Size of the volume, e.g. storage: 10Gi."),
  accessModes: field(3, list(enumOf("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"), atomic), "How the volume can be mounted."),
  claimRef: field(4, coreRef("ObjectReference"), "The claim bound to this volume; set it yourself to reserve the volume for one claim."),
  persistentVolumeReclaimPolicy: field(5, RECLAIM, "What happens when the claim is deleted: Retain (keep the data), Delete, or Recycle (deprecated)."),
  storageClassName: field(6, str, "The StorageClass this volume belongs to; only claims of that class bind to it."),
  mountOptions: field(7, list(str, atomic), "Mount options, e.g. ro or nfsvers=4.1."),
  volumeMode: field(8, enumOf("Block", "Filesystem"), "Filesystem (the default) or Block.", { ptr: true }),
  nodeAffinity: field(9, core.ref("VolumeNodeAffinity"), "Nodes the volume can be used from (required for local volumes)."),
  volumeAttributesClassName: field(10, str, "A VolumeAttributesClass for mutable attributes.", { ptr: true }),
}, { inline: [embed(2, core.ref("PersistentVolumeSource"))] });

core.object("PersistentVolumeSource", "Where a volume's storage is (the sources this simulator knows).", {
  hostPath: field(3, core.ref("HostPathVolumeSource"), "A directory on one node; for single-node test clusters."),
  nfs: field(5, core.ref("NFSVolumeSource"), "An NFS export."),
  local: field(20, core.ref("LocalVolumeSource"), "A disk or directory of one node; needs nodeAffinity."),
  csi: field(22, core.ref("CSIPersistentVolumeSource"), "A volume of a CSI driver."),
});

core.object("LocalVolumeSource", "A local disk or directory.", {
  path: field(1, str, "Path on the node.", { required: true }),
  fsType: field(2, str, "Filesystem type, for block devices.", { ptr: true }),
});

core.object("CSIPersistentVolumeSource", "A volume managed by a CSI driver.", {
  driver: field(1, str, "Name of the driver.", { required: true }),
  volumeHandle: field(2, str, "The driver's id of the volume.", { required: true }),
  readOnly: field(3, bool, "Mount read-only."),
  fsType: field(4, str, "Filesystem type."),
  volumeAttributes: field(5, mapOf(str), "Driver-specific attributes."),
});

core.object("VolumeNodeAffinity", "Nodes a volume is reachable from.", {
  required: field(1, core.ref("NodeSelector"), "The nodes, as node selector terms."),
});

core.object("PersistentVolumeStatus", "The observed state of a volume.", {
  phase: field(1, enumOf("Available", "Bound", "Failed", "Pending", "Released"), "Available (free), Bound (to a claim), Released (claim deleted, not yet reclaimed) or Failed."),
  message: field(2, str, "Why the volume is in this phase."),
  reason: field(3, str, "One-word reason."),
  lastPhaseTransitionTime: field(4, time, "When the phase last changed.", { ptr: true }),
});

export const storageClassSchema = storage.kind("StorageClass", { group: "storage.k8s.io", version: "v1" }, "A kind of storage that claims can ask for by name; its provisioner creates volumes on demand.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name of the class; the annotation storageclass.kubernetes.io/is-default-class makes it the default."),
  provisioner: field(2, str, "The driver that creates volumes, e.g. rancher.io/local-path.", { required: true }),
  parameters: field(3, mapOf(str), "Settings passed to the provisioner."),
  reclaimPolicy: field(4, RECLAIM, "Reclaim policy of created volumes: Delete (the default) or Retain.", { ptr: true }),
  mountOptions: field(5, list(str, atomic), "Mount options of created volumes."),
  allowVolumeExpansion: field(6, bool, "Whether claims of this class may grow.", { ptr: true }),
  volumeBindingMode: field(7, enumOf("Immediate", "WaitForFirstConsumer"), "Immediate (the default) provisions on claim creation; WaitForFirstConsumer waits for a pod to use the claim.", { ptr: true }),
  allowedTopologies: field(8, list(core.ref("TopologySelectorTerm"), atomic), "Where volumes may be provisioned."),
});

export const csiDriverSchema = storage.kind("CSIDriver", { group: "storage.k8s.io", version: "v1" }, "How Kubernetes talks to one installed CSI volume driver; its name is the driver's name. Installed with the driver.", {
  metadata: field(1, metaRef("ObjectMeta"), "The driver's name, e.g. ebs.csi.aws.com."),
  spec: field(2, storage.ref("CSIDriverSpec"), "What the driver needs and supports.", { required: true }),
});

storage.object("CSIDriverSpec", "The abilities and needs of a CSI driver.", {
  attachRequired: field(1, bool, "Whether volumes must be attached to a node (a VolumeAttachment) before they are mounted. Defaults to true.", { ptr: true }),
  podInfoOnMount: field(2, bool, "Whether the driver is told the pod's name, namespace, uid and service account when mounting. Defaults to false.", { ptr: true }),
  volumeLifecycleModes: field(3, list(enumOf("Ephemeral", "Persistent"), { listType: "set" }), "Persistent (volumes of claims), Ephemeral (inline volumes in a pod), or both. Defaults to Persistent."),
  storageCapacity: field(4, bool, "Whether the scheduler should consult the driver's CSIStorageCapacity objects. Defaults to false.", { ptr: true }),
  fsGroupPolicy: field(5, enumOf("File", "None", "ReadWriteOnceWithFSType"), "Whether the pod's fsGroup may change volume ownership and permissions.", { ptr: true }),
  tokenRequests: field(6, list(storage.ref("TokenRequest"), atomic), "ServiceAccount tokens the kubelet passes to the driver when mounting."),
  requiresRepublish: field(7, bool, "Whether the kubelet calls the driver's publish again and again, e.g. to refresh tokens. Defaults to false.", { ptr: true }),
  seLinuxMount: field(8, bool, "Whether the driver can mount with an SELinux context. Defaults to false.", { ptr: true }),
});

storage.object("TokenRequest", "A token a CSI driver receives for the pod's service account.", {
  audience: field(1, str, "Who the token is for.", { required: true }),
  expirationSeconds: field(2, int64, "How long the token lives.", { ptr: true }),
});

export const csiNodeSchema = storage.kind("CSINode", { group: "storage.k8s.io", version: "v1" }, "The CSI drivers installed on one node (the kubelet keeps it; same name as the node).", {
  metadata: field(1, metaRef("ObjectMeta"), "The node's name; the node owns it."),
  spec: field(2, storage.ref("CSINodeSpec"), "The drivers on the node.", { required: true }),
});

storage.object("CSINodeSpec", "The drivers on a node.", {
  drivers: field(1, list(storage.ref("CSINodeDriver"), { mergeKey: "name", strategy: "merge", listType: "map", mapKeys: ["name"] }), "One entry per driver registered with the node's kubelet.", { required: true }),
});

storage.object("CSINodeDriver", "One CSI driver on a node.", {
  name: field(1, str, "The driver's name.", { required: true }),
  nodeID: field(2, str, "The node as the driver knows it.", { required: true }),
  topologyKeys: field(3, list(str, atomic), "Node label keys the driver uses for topology (e.g. its zone)."),
  allocatable: field(4, storage.ref("VolumeNodeResources"), "How many of the driver's volumes the node can take."),
});

storage.object("VolumeNodeResources", "Volume limits of a driver on a node.", {
  count: field(1, int32, "Most volumes of this driver the node can use at once; absent means no limit.", { ptr: true }),
});

export const csiStorageCapacitySchema = storage.kind("CSIStorageCapacity", { group: "storage.k8s.io", version: "v1" }, "How much storage of one class a CSI driver can still provide to the nodes of one topology segment; the scheduler reads it.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name (usually generated) and namespace, both chosen by the driver."),
  nodeTopology: field(2, metaRef("LabelSelector"), "Which nodes can reach this storage; absent means none."),
  storageClassName: field(3, str, "The storage class the capacity is for.", { required: true }),
  capacity: field(4, quantity, "Free capacity; absent means unknown.", { ptr: true }),
  maximumVolumeSize: field(5, quantity, "The largest volume that can be made now.", { ptr: true }),
});

export const volumeAttachmentSchema = storage.kind("VolumeAttachment", { group: "storage.k8s.io", version: "v1" }, "A request to attach a volume to a node (or detach it): the attach/detach controller makes one, the CSI driver's attacher carries it out.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name of the attachment (cluster-wide)."),
  spec: field(2, storage.ref("VolumeAttachmentSpec"), "Which volume, which node, which driver.", { required: true }),
  status: field(3, storage.ref("VolumeAttachmentStatus"), "Whether the volume is attached. Read-only."),
});

storage.object("VolumeAttachmentSpec", "What to attach where.", {
  attacher: field(1, str, "The driver that attaches the volume.", { required: true }),
  source: field(2, storage.ref("VolumeAttachmentSource"), "The volume.", { required: true }),
  nodeName: field(3, str, "The node to attach it to.", { required: true }),
});

storage.object("VolumeAttachmentSource", "The volume to attach; set exactly one.", {
  persistentVolumeName: field(1, str, "A PersistentVolume, by name.", { ptr: true }),
  inlineVolumeSpec: field(2, core.ref("PersistentVolumeSpec"), "A volume written inline in a pod, translated to a PersistentVolume spec."),
});

storage.object("VolumeAttachmentStatus", "The state of an attachment.", {
  attached: field(1, bool, "Whether the volume is attached.", { required: true }),
  attachmentMetadata: field(2, mapOf(str), "What the attacher reports for the mount step."),
  attachError: field(3, storage.ref("VolumeError"), "The last attach failure."),
  detachError: field(4, storage.ref("VolumeError"), "The last detach failure."),
});

storage.object("VolumeError", "A failure of an attach or detach.", {
  time: field(1, time, "When it happened."),
  message: field(2, str, "What went wrong."),
});

core.object("TopologySelectorTerm", "Topology labels a volume's location must have.", {
  matchLabelExpressions: field(1, list(core.ref("TopologySelectorLabelRequirement"), atomic), "The label conditions."),
});

core.object("TopologySelectorLabelRequirement", "A label and its allowed values.", {
  key: field(1, str, "The label key.", { required: true }),
  values: field(2, list(str, atomic), "Allowed values.", { required: true }),
});

export const limitRangeSchema = core.kind("LimitRange", { group: "", version: "v1" }, "Default, minimum and maximum resources for each pod, container or claim in a namespace.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the limit range."),
  spec: field(2, core.ref("LimitRangeSpec"), "The limits."),
});

core.object("LimitRangeSpec", "The limits of a limit range.", {
  limits: field(1, list(core.ref("LimitRangeItem"), atomic), "One entry per kind of object limited.", { required: true }),
});

core.object("LimitRangeItem", "Limits for one kind of object.", {
  type: field(1, enumOf("Container", "PersistentVolumeClaim", "Pod"), "Container, Pod or PersistentVolumeClaim.", { required: true }),
  max: field(2, mapOf(quantity), "Largest allowed value per resource."),
  min: field(3, mapOf(quantity), "Smallest allowed value per resource."),
  default: field(4, mapOf(quantity), "Limits given to containers that set none."),
  defaultRequest: field(5, mapOf(quantity), "Requests given to containers that set none."),
  maxLimitRequestRatio: field(6, mapOf(quantity), "Largest allowed limit divided by request."),
});

export const networkPolicySchema = networking.kind("NetworkPolicy", { group: "networking.k8s.io", version: "v1" }, "Firewall rules for pods: once a policy selects a pod, only the traffic some policy allows reaches (or leaves) it.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the policy."),
  spec: field(2, networking.ref("NetworkPolicySpec"), "Which pods, and what traffic is allowed."),
});

networking.object("NetworkPolicySpec", "The rules of a network policy.", {
  podSelector: field(1, metaRef("LabelSelector"), "The pods the policy applies to, in its namespace; {} selects every pod.", { required: true }),
  ingress: field(2, list(networking.ref("NetworkPolicyIngressRule"), atomic), "Allowed incoming traffic; with Ingress in policyTypes and no rules, nothing may come in."),
  egress: field(3, list(networking.ref("NetworkPolicyEgressRule"), atomic), "Allowed outgoing traffic; with Egress in policyTypes and no rules, nothing may go out."),
  policyTypes: field(4, list(enumOf("Egress", "Ingress"), atomic), "Which directions the policy restricts: Ingress, Egress or both. Defaults from the rules present."),
});

networking.object("NetworkPolicyIngressRule", "Incoming traffic that is allowed.", {
  ports: field(1, list(networking.ref("NetworkPolicyPort"), atomic), "Destination ports allowed; empty means all."),
  from: field(2, list(networking.ref("NetworkPolicyPeer"), atomic), "Allowed sources; empty means everywhere."),
});

networking.object("NetworkPolicyEgressRule", "Outgoing traffic that is allowed.", {
  ports: field(1, list(networking.ref("NetworkPolicyPort"), atomic), "Destination ports allowed; empty means all."),
  to: field(2, list(networking.ref("NetworkPolicyPeer"), atomic), "Allowed destinations; empty means everywhere."),
});

networking.object("NetworkPolicyPeer", "A set of pods or addresses; podSelector and namespaceSelector together mean pods matching both.", {
  podSelector: field(1, metaRef("LabelSelector"), "Pods with these labels (in the policy's namespace, unless namespaceSelector is set)."),
  namespaceSelector: field(2, metaRef("LabelSelector"), "All pods in namespaces with these labels."),
  ipBlock: field(3, networking.ref("IPBlock"), "An address range."),
});

networking.object("NetworkPolicyPort", "A port, or a range of ports.", {
  protocol: field(1, enumOf("SCTP", "TCP", "UDP"), "TCP (the default), UDP or SCTP.", { ptr: true }),
  port: field(2, intOrString, "Port number or named container port; empty means all ports.", { ptr: true }),
  endPort: field(3, int32, "Last port of a range starting at port.", { ptr: true }),
});

networking.object("IPBlock", "An address range.", {
  cidr: field(1, str, "The range, e.g. 10.0.0.0/16.", { required: true }),
  except: field(2, list(str, atomic), "Sub-ranges to leave out."),
});
