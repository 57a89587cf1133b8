-- CreateTable
CREATE TABLE "ClusterSnapshot" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "driver" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    "savedAt" DATETIME NOT NULL,
    CONSTRAINT "ClusterSnapshot_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

