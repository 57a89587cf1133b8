import { describe, expect, it } from "vitest";
import { isImage } from "./exercises";

describe("isImage", () => {
  it.each(["nginx", "nginx:1.27", "nginx:latest", "docker.io/library/nginx", "docker.io/nginx:1.27", "library/nginx", "nginx@sha256:abc"])(
    "%s is nginx",
    (image) => expect(isImage(image, "nginx")).toBe(true),
  );
  it.each(["httpd", "nginxx", "bitnami/nginx", "quay.io/someone/nginx", "", undefined])("%s is not nginx", (image) =>
    expect(isImage(image, "nginx")).toBe(false),
  );
});
