// The review kinds of authentication.k8s.io and authorization.k8s.io: posted
// to get an answer back, never stored (apiserver/auth/reviews.ts answers).
import type { KObject } from "../types";
import { defineResource, type ResourceType } from "./resource";

function review(group: string, kind: string, plural: string, namespaced = false): ResourceType {
  return defineResource<KObject>({
    group,
    version: "v1",
    kind,
    listKind: `${kind}List`,
    plural,
    singular: plural.slice(0, -1),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ["create"],
    subresources: [],
    columns: [],
    cells: () => [],
  });
}

export const selfsubjectreviews = review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews");
export const tokenreviews = review("authentication.k8s.io", "TokenReview", "tokenreviews");
export const localsubjectaccessreviews = review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true);
export const selfsubjectaccessreviews = review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews");
export const selfsubjectrulesreviews = review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews");
export const subjectaccessreviews = review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews");
