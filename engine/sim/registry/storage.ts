// Storage: core/v1 PersistentVolume and PersistentVolumeClaim, and
// storage.k8s.io/v1 StorageClass. Binding and provisioning:
// controllers/persistentvolume.ts; default class: admission/storage.ts.
import type { KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, type FieldError } from "./resource";
import { ageSince } from "./format";
import { validateSubdomain } from "./validation";

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

interface PersistentVolume extends KObject {
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    volumeMode?: string;
    claimRef?: { namespace?: string; name?: string };
    volumeAttributesClassName?: string;
    [field: string]: unknown;
  };
  status?: { phase?: string; reason?: string; [field: string]: unknown };
}

export const persistentvolumes = defineResource<PersistentVolume>({
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  listKind: "PersistentVolumeList",
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

interface PersistentVolumeClaim extends KObject {
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

export const persistentvolumeclaims = defineResource<PersistentVolumeClaim>({
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  listKind: "PersistentVolumeClaimList",
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
    return [
      pvc.metadata.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? ""),
      spec.volumeName ?? "",
      pvc.status?.capacity?.storage ?? "",
      accessModes(pvc.status?.accessModes),
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

interface StorageClass extends KObject {
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export const storageclasses = defineResource<StorageClass>({
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  listKind: "StorageClassList",
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
