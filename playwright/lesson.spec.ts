import { expect, test, type Page } from "@playwright/test";

const LESSON = "/lessons/why-orchestration";

function terminal(page: Page) {
  return page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows");
}

async function openLesson(page: Page) {
  await page.goto(LESSON);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Why orchestration");
  await expect(terminal(page)).toContainText("learner@course", { timeout: 30_000 });
}

/** Type a command into the shell, as a learner would. */
async function type(page: Page, command: string) {
  await page.getByRole("region", { name: "Terminal" }).click();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

function exercise(page: Page, title: string) {
  return page.getByRole("region", { name: title });
}

test("a learner runs a first pod and the check turns green, and it stays after a reload", async ({ page }, testInfo) => {
  await openLesson(page);
  const firstPod = exercise(page, "Run your first pod");
  await expect(firstPod.getByRole("status", { name: "Exercise status" })).not.toContainText("Passed");

  await type(page, "kubectl run web --image=nginx");
  await expect(terminal(page)).toContainText("pod/web created");
  await expect(firstPod.getByRole("status", { name: "Exercise status" })).toContainText("Passed", { timeout: 30_000 });
  await firstPod.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath("lesson-passed.png") });
  await testInfo.attach("lesson page after the check passed", { path: testInfo.outputPath("lesson-passed.png"), contentType: "image/png" });

  await page.reload();
  await expect(firstPod.getByRole("status", { name: "Exercise status" })).toContainText("Passed");
  await expect(firstPod).toContainText("Completed");
  // The same shell comes back, with what it showed before.
  await expect(terminal(page)).toContainText("pod/web created");
});

test("a Run block sends its command to the terminal", async ({ page }) => {
  await openLesson(page);
  await page.getByRole("button", { name: "Run: kubectl get nodes" }).click();
  await expect(terminal(page)).toContainText("controlplane");
  await expect(terminal(page)).toContainText("node01");
});

test("mistakes get a clear answer and break nothing", async ({ page }) => {
  await openLesson(page);
  await type(page, "kubectl get foo");
  await expect(terminal(page)).toContainText(`the server doesn't have a resource type "foo"`);
  await type(page, "printf 'kind: Pod\\nmetadata: [\\n' | kubectl create -f -");
  await expect(terminal(page)).toContainText("error");
  await type(page, "kubectl get pod nothing-here");
  await expect(terminal(page)).toContainText(`pods "nothing-here" not found`);
  await type(page, "kubectl get nodes");
  await expect(terminal(page)).toContainText("node02");
});

test("two tabs of one learner share one shell; closing a tab mid-command loses nothing", async ({ context }) => {
  const first = await context.newPage();
  await openLesson(first);
  const second = await context.newPage();
  await openLesson(second);

  await type(first, "echo shared-$((6*7))");
  await expect(terminal(second)).toContainText("shared-42");

  // A command still running when its tab closes keeps running in the shell.
  await type(second, "kubectl get nodes --watch");
  await expect(terminal(first)).toContainText("controlplane");
  await second.close();
  await first.reload();
  await expect(terminal(first)).toContainText("controlplane");
  await first.getByRole("region", { name: "Terminal" }).click();
  await first.keyboard.press("Control+C");
  await type(first, "echo still-here");
  await expect(terminal(first)).toContainText("still-here");
});

test("another learner gets a cluster of their own", async ({ page, browser }) => {
  await openLesson(page);
  await type(page, "kubectl run mine --image=nginx");
  await expect(terminal(page)).toContainText("pod/mine created");

  const other = await browser.newContext();
  const theirs = await other.newPage();
  await openLesson(theirs);
  await type(theirs, "kubectl get pods");
  await expect(terminal(theirs)).toContainText("No resources found in default namespace.");
  await other.close();
});

test("the shell follows the terminal when the window is resized", async ({ page }) => {
  await openLesson(page);
  const sizes = async () => [...(await terminal(page).innerText()).matchAll(/^(\d+) (\d+)$/gm)].map((m) => `${m[1]}x${m[2]}`);
  await type(page, "stty size");
  await expect.poll(sizes).toHaveLength(1);
  const [before] = await sizes();

  await page.setViewportSize({ width: 900, height: 560 });
  await expect(async () => {
    await type(page, "clear; stty size");
    const [after] = await sizes();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  }).toPass();
});
