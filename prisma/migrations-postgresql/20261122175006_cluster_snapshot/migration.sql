-- CreateTable
CREATE TABLE "ClusterSnapshot" (
    "userId" TEXT NOT NULL,
    "driver" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "savedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClusterSnapshot_pkey" PRIMARY KEY ("userId")
);

-- AddForeignKey
ALTER TABLE "ClusterSnapshot" ADD CONSTRAINT "ClusterSnapshot_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

