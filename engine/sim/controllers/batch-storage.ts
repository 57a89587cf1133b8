// The Job, CronJob, DaemonSet, StatefulSet and PersistentVolume controllers,
// started together by `createSimCluster` (one line there, so this list can
// grow without touching the shared wiring).
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry } from "../registry";
import type { EventRecorder } from "./events";
import { CronJobController } from "./cronjob";
import { DaemonSetController } from "./daemonset";
import { JobController } from "./job";
import { PersistentVolumeController } from "./persistentvolume";
import { StatefulSetController } from "./statefulset";
import { storageAdmission } from "../admission/storage";
import { quotaAdmission } from "../admission/quota";
import { ResourceQuotaController } from "./resourcequota";

export interface ControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

export interface Startable {
  start(): void;
  stop(): void;
}

/** API servers whose admission already has the plugins (a restarted controller manager builds its controllers again). */
const admitted = new WeakSet<ResourceService>();

/** The controllers, plus the admission plugins they rely on (registered on `deps.service` once). */
export function batchAndStorageControllers(deps: ControllerDeps): Startable[] {
  if (!admitted.has(deps.service)) {
    admitted.add(deps.service);
    deps.service.admission.push(storageAdmission(deps.service, deps.registry), quotaAdmission(deps.service, deps.registry));
  }
  return [new ResourceQuotaController(deps), new PersistentVolumeController(deps), new JobController(deps), new DaemonSetController(deps), new StatefulSetController(deps), new CronJobController(deps)];
}
