// Saved cluster state, kept through Prisma: one row per learner, replaced on
// every save, gone with the learner.
import type { ClusterStateStore, SavedClusterState } from "../engine/cluster";
import type { Database } from "./db";

export class PrismaClusterStateStore implements ClusterStateStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(learnerId: string, driver: string): Promise<SavedClusterState | undefined> {
    const row = await this.db.clusterSnapshot.findUnique({ where: { userId: learnerId } });
    if (!row || row.driver !== driver) return undefined;
    return { driver: row.driver, revision: row.revision, data: row.data };
  }

  async save(learnerId: string, state: SavedClusterState): Promise<void> {
    const fields = { driver: state.driver, revision: state.revision, data: Buffer.from(state.data), savedAt: this.now() };
    await this.db.clusterSnapshot.upsert({ where: { userId: learnerId }, create: { userId: learnerId, ...fields }, update: fields });
  }

  async remove(learnerId: string): Promise<void> {
    await this.db.clusterSnapshot.deleteMany({ where: { userId: learnerId } });
  }
}
