// Storage: core/v1 PersistentVolume and PersistentVolumeClaim, and
// storage.k8s.io/v1 StorageClass, CSIDriver, CSINode, CSIStorageCapacity and
// VolumeAttachment. Binding and provisioning:
// controllers/persistentvolume.ts; default class: admission/storage.ts.
import type { KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, type FieldError } from "./resource";
import { ageSince } from "./format";
import { validateSubdomain } from "./validation";
import { persistentVolumeClaimSchema } from "../schema/pod";
import { csiDriverSchema, csiNodeSchema, csiStorageCapacitySchema, persistentVolumeSchema, storageClassSchema, volumeAttachmentSchema } from "../schema/storage";

const ACCESS_MODES: [string, string][] = [
  ["ReadWriteOnce", "RWO"],
  ["ReadOnlyMany", "ROX"],
  ["ReadWriteMany", "RWX"],
  ["ReadWriteOncePod", "RWOP"],
];

/** Access modes abbreviated, in upstream's fixed order. */
function accessModes(modes: string[] | undefined): string {
  return ACCESS_MODES.filter(([mode]) => modes?.includes(mode))
    .map(([, short]) => short)
    .join(",");
}

function validateAccessModes(modes: string[] | undefined, path: string): FieldError[] {
  if (!modes?.length) return [{ field: path, type: "FieldValueRequired" }];
  return modes
    .filter((m) => !ACCESS_MODES.some(([mode]) => mode === m))
    .map((m) => ({ field: path, type: "FieldValueNotSupported" as const, value: m, detail: 'supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"' }));
}

export interface PersistentVolume extends KObject {
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    volumeMode?: string;
    claimRef?: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
    volumeAttributesClassName?: string;
    [field: string]: unknown;
  };
  status?: { phase?: string; reason?: string; [field: string]: unknown };
}

export const persistentvolumes = defineResource<PersistentVolume>(persistentVolumeSchema, {
  plural: "persistentvolumes",
  singular: "persistentvolume",
  namespaced: false,
  shortNames: ["pv"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "PersistentVolume", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Capacity", "string", "How much storage the volume offers."),
    column("Access Modes", "string", "How the volume may be mounted: RWO, ROX, RWX, RWOP."),
    column("Reclaim Policy", "string", "What happens to the volume once its claim is released."),
    column("Status", "string", "The volume's lifecycle phase."),
    column("Claim", "string", "The claim (namespace/name) the volume is bound to."),
    column("StorageClass", "string", "The class the volume belongs to."),
    column("VolumeAttributesClass", "string", "The volume attributes class, if any."),
    column("Reason", "string", "Why the volume is in its phase, when that needs explaining."),
    AGE_COLUMN,
    column("VolumeMode", "string", "Whether the volume is a filesystem or a raw block device.", 1),
  ],
  cells(pv, now) {
    const spec = pv.spec ?? {};
    const claim = spec.claimRef?.name ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name}` : "";
    return [
      spec.capacity?.storage ?? "",
      accessModes(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? "",
      pv.metadata.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? ""),
      claim,
      spec.storageClassName ?? "",
      spec.volumeAttributesClassName || "<unset>",
      pv.status?.reason ?? "",
      ageSince(pv.metadata.creationTimestamp, now),
      spec.volumeMode ?? "Filesystem",
    ];
  },
  defaults(pv) {
    const spec = (pv.spec ??= {});
    spec.persistentVolumeReclaimPolicy ??= "Retain";
    spec.volumeMode ??= "Filesystem";
    pv.status = { phase: spec.claimRef?.name ? "Bound" : "Available" };
  },
  validate(pv) {
    const errors = validateSubdomain("metadata.name", pv.metadata.name ?? "");
    errors.push(...validateAccessModes(pv.spec?.accessModes, "spec.accessModes"));
    if (!pv.spec?.capacity?.storage) errors.push({ field: "spec.capacity", type: "FieldValueRequired" });
    return errors;
  },
  fields: (pv) => ({ "status.phase": pv.status?.phase ?? "" }),
});

export interface PersistentVolumeClaim extends KObject {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string> };
    storageClassName?: string;
    volumeName?: string;
    volumeMode?: string;
    volumeAttributesClassName?: string;
    [field: string]: unknown;
  };
  status?: { phase?: string; capacity?: Record<string, string>; accessModes?: string[]; [field: string]: unknown };
}

export const persistentvolumeclaims = defineResource<PersistentVolumeClaim>(persistentVolumeClaimSchema, {
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  namespaced: true,
  shortNames: ["pvc"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "PersistentVolumeClaim", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Status", "string", "Whether the claim has found its volume yet."),
    column("Volume", "string", "The volume the claim is bound to."),
    column("Capacity", "string", "Storage the bound volume provides."),
    column("Access Modes", "string", "How the bound volume may be mounted."),
    column("StorageClass", "string", "The class of storage the claim asks for."),
    column("VolumeAttributesClass", "string", "The volume attributes class, if any."),
    AGE_COLUMN,
    column("VolumeMode", "string", "Whether the claim wants a filesystem or a raw block device.", 1),
  ],
  cells(pvc, now) {
    const spec = pvc.spec ?? {};
    // Capacity and access modes only once the claim names its volume.
    const bound = !!spec.volumeName;
    return [
      pvc.metadata.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? ""),
      spec.volumeName ?? "",
      bound ? (pvc.status?.capacity?.storage ?? "") : "",
      bound ? accessModes(pvc.status?.accessModes) : "",
      spec.storageClassName ?? "",
      spec.volumeAttributesClassName || "<unset>",
      ageSince(pvc.metadata.creationTimestamp, now),
      spec.volumeMode ?? "Filesystem",
    ];
  },
  defaults(pvc) {
    const spec = (pvc.spec ??= {});
    spec.volumeMode ??= "Filesystem";
    pvc.status = { phase: "Pending" };
  },
  validate(pvc) {
    const errors = validateSubdomain("metadata.name", pvc.metadata.name ?? "");
    errors.push(...validateAccessModes(pvc.spec?.accessModes, "spec.accessModes"));
    if (!pvc.spec?.resources?.requests?.storage) errors.push({ field: "spec.resources[storage]", type: "FieldValueRequired" });
    return errors;
  },
});

export interface StorageClass extends KObject {
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export const storageclasses = defineResource<StorageClass>(storageClassSchema, {
  plural: "storageclasses",
  singular: "storageclass",
  namespaced: false,
  shortNames: ["sc"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  nameCell: (sc) => (sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true" ? `${sc.metadata.name ?? ""} (default)` : (sc.metadata.name ?? "")),
  columns: [
    column("Provisioner", "string", "The driver that creates volumes of this class."),
    column("ReclaimPolicy", "string", "What happens to a volume of this class when its claim goes away."),
    column("VolumeBindingMode", "string", "Whether volumes are made at once or when a pod first uses the claim."),
    column("AllowVolumeExpansion", "string", "Whether claims of this class may grow."),
    AGE_COLUMN,
  ],
  cells: (sc, now) => [sc.provisioner ?? "", sc.reclaimPolicy ?? "Delete", sc.volumeBindingMode ?? "Immediate", String(sc.allowVolumeExpansion ?? false), ageSince(sc.metadata.creationTimestamp, now)],
  defaults(sc) {
    sc.reclaimPolicy ??= "Delete";
    sc.volumeBindingMode ??= "Immediate";
  },
  validate(sc) {
    const errors = validateSubdomain("metadata.name", sc.metadata.name ?? "");
    if (!sc.provisioner) errors.push({ field: "provisioner", type: "FieldValueRequired" });
    return errors;
  },
});

// What CSI drivers and the attach/detach controller keep. The sim runs no CSI
// driver, so these lists stay empty unless someone writes them.

interface CSIDriver extends KObject {
  spec?: { attachRequired?: boolean; podInfoOnMount?: boolean; storageCapacity?: boolean; tokenRequests?: { audience: string }[]; requiresRepublish?: boolean; volumeLifecycleModes?: string[]; [field: string]: unknown };
}

export const csidrivers = defineResource<CSIDriver>(csiDriverSchema, {
  plural: "csidrivers",
  singular: "csidriver",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("AttachRequired", "boolean", "Whether volumes must be attached to a node before they are mounted."),
    column("PodInfoOnMount", "boolean", "Whether the driver learns which pod mounts a volume."),
    column("StorageCapacity", "boolean", "Whether the scheduler checks the driver's free capacity."),
    column("TokenRequests", "string", "Audiences of the tokens the driver gets."),
    column("RequiresRepublish", "boolean", "Whether the kubelet publishes volumes again periodically."),
    column("Modes", "string", "Persistent and/or Ephemeral volumes."),
    AGE_COLUMN,
  ],
  cells(d, now) {
    const spec = d.spec ?? {};
    return [
      spec.attachRequired ?? true,
      spec.podInfoOnMount ?? false,
      spec.storageCapacity ?? false,
      spec.tokenRequests ? spec.tokenRequests.map((t) => t.audience).join(",") : "<unset>",
      spec.requiresRepublish ?? false,
      spec.volumeLifecycleModes?.join(",") || "<none>",
      ageSince(d.metadata.creationTimestamp, now),
    ];
  },
  defaults(d) {
    const spec = (d.spec ??= {});
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= "ReadWriteOnceWithFSType";
    spec.requiresRepublish ??= false;
    spec.volumeLifecycleModes ??= ["Persistent"];
    spec.seLinuxMount ??= false;
  },
  validate: (d) => validateSubdomain("metadata.name", d.metadata.name ?? ""),
});

interface CSINode extends KObject {
  spec?: { drivers?: unknown[] | null };
}

export const csinodes = defineResource<CSINode>(csiNodeSchema, {
  plural: "csinodes",
  singular: "csinode",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Drivers", "integer", "How many CSI drivers the node has."), AGE_COLUMN],
  cells: (n, now) => [n.spec?.drivers?.length ?? 0, ageSince(n.metadata.creationTimestamp, now)],
  validate: (n) => validateSubdomain("metadata.name", n.metadata.name ?? ""),
});

interface CSIStorageCapacity extends KObject {
  storageClassName?: string;
  capacity?: string;
}

export const csistoragecapacities = defineResource<CSIStorageCapacity>(csiStorageCapacitySchema, {
  plural: "csistoragecapacities",
  singular: "csistoragecapacity",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  // Upstream's table for this kind has no AGE.
  columns: [column("StorageClassName", "string", "The storage class the capacity is for."), column("Capacity", "string", "Free capacity, if known.")],
  cells: (c) => [c.storageClassName ?? "", c.capacity ?? "<unset>"],
  validate(c) {
    const errors = validateSubdomain("metadata.name", c.metadata.name ?? "");
    if (!c.storageClassName) errors.push({ field: "storageClassName", type: "FieldValueRequired" });
    return errors;
  },
});

interface VolumeAttachment extends KObject {
  spec?: { attacher?: string; nodeName?: string; source?: { persistentVolumeName?: string; inlineVolumeSpec?: unknown } };
  status?: { attached?: boolean };
}

export const volumeattachments = defineResource<VolumeAttachment>(volumeAttachmentSchema, {
  plural: "volumeattachments",
  singular: "volumeattachment",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "VolumeAttachment", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Attacher", "string", "The driver that attaches the volume."),
    column("PV", "string", "The PersistentVolume attached."),
    column("Node", "string", "The node it is attached to."),
    column("Attached", "boolean", "Whether the attach is done."),
    AGE_COLUMN,
  ],
  cells: (va, now) => [va.spec?.attacher ?? "", va.spec?.source?.persistentVolumeName ?? "", va.spec?.nodeName ?? "", va.status?.attached ?? false, ageSince(va.metadata.creationTimestamp, now)],
  validate(va) {
    const errors = validateSubdomain("metadata.name", va.metadata.name ?? "");
    if (!va.spec?.attacher) errors.push({ field: "spec.attacher", type: "FieldValueRequired" });
    if (!va.spec?.nodeName) errors.push({ field: "spec.nodeName", type: "FieldValueRequired" });
    const source = va.spec?.source ?? {};
    if (!source.persistentVolumeName === !source.inlineVolumeSpec) errors.push({ field: "spec.source", type: "FieldValueForbidden", detail: "must specify exactly one of inlineVolumeSpec and persistentVolumeName" });
    return errors;
  },
});
