// kube-controller-manager as one component that can be stopped and started
// (the drill): the controllers it runs upstream, built afresh on every start,
// so they resync from the store as a restarted controller manager relists.
import type { Startable } from "../controllers/batch-storage";

export class ControllerManager {
  private controllers: Startable[];
  private state: "new" | "running" | "stopped" = "new";

  /** The first set is built at once (building registers admission plugins the cluster's bootstrap relies on). */
  constructor(private readonly build: () => Startable[]) {
    this.controllers = build();
  }

  get running(): boolean {
    return this.state === "running";
  }

  start(): void {
    if (this.state === "running") return;
    if (this.state === "stopped") this.controllers = this.build();
    this.state = "running";
    for (const controller of this.controllers) controller.start();
  }

  stop(): void {
    if (this.state !== "running") return;
    this.state = "stopped";
    for (const controller of this.controllers) controller.stop();
  }
}
