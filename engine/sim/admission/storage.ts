// Storage admission on create, as upstream's DefaultStorageClass and
// StorageObjectInUseProtection plugins: a claim without storageClassName gets
// the default class (the one annotated is-default-class; none -> left unset),
// and claims / volumes get their protection finalizers.
import type { ResourceService } from "../apiserver/service";
import { DEFAULT_CLASS_ANNOTATION } from "../registry/storage";
import type { Registry, ResourceType } from "../registry";
import type { KObject } from "../types";

export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
export const PV_PROTECTION = "kubernetes.io/pv-protection";

/** The default StorageClass's name, newest first when several claim to be default (as upstream). */
export function defaultStorageClass(service: ResourceService, registry: Registry): KObject | undefined {
  const type = registry.find("storage.k8s.io", "v1", "storageclasses");
  if (!type) return undefined;
  const defaults = service.list(type, undefined).items.filter((sc) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  defaults.sort((a, b) => String(b.metadata.creationTimestamp ?? "").localeCompare(String(a.metadata.creationTimestamp ?? "")) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  return defaults[0];
}

function addFinalizer(object: KObject, finalizer: string): void {
  const finalizers = object.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) object.metadata.finalizers = [...finalizers, finalizer];
}

export function storageAdmission(service: ResourceService, registry: Registry): { mutate(type: ResourceType, object: KObject): void } {
  return {
    mutate(type, object) {
      if (type.group !== "") return;
      if (type.plural === "persistentvolumeclaims") {
        const spec = (object.spec ??= {}) as { storageClassName?: string };
        if (spec.storageClassName === undefined || spec.storageClassName === null) {
          const name = defaultStorageClass(service, registry)?.metadata.name;
          if (name) spec.storageClassName = name;
        }
        addFinalizer(object, PVC_PROTECTION);
      } else if (type.plural === "persistentvolumes") addFinalizer(object, PV_PROTECTION);
    },
  };
}
