// The review kinds of authentication.k8s.io and authorization.k8s.io: posted
// to get an answer back, never stored (apiserver/auth/reviews.ts answers).
// They cannot be listed; their table is the default one, as upstream's.
import type { ObjectSchema } from "../schema/dsl";
import {
  localSubjectAccessReviewSchema,
  selfSubjectAccessReviewSchema,
  selfSubjectReviewSchema,
  selfSubjectRulesReviewSchema,
  subjectAccessReviewSchema,
  tokenReviewSchema,
} from "../schema/access";
import type { KObject } from "../types";
import { CREATED_AT_COLUMN, createdAt, defineResource, type ResourceType } from "./resource";

function review(schema: ObjectSchema, plural: string, namespaced = false): ResourceType {
  return defineResource<KObject>(schema, {
    plural,
    singular: plural.slice(0, -1),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ["create"],
    subresources: [],
    columns: [CREATED_AT_COLUMN],
    cells: (object) => [createdAt(object)],
  });
}

export const selfsubjectreviews = review(selfSubjectReviewSchema, "selfsubjectreviews");
export const tokenreviews = review(tokenReviewSchema, "tokenreviews");
export const localsubjectaccessreviews = review(localSubjectAccessReviewSchema, "localsubjectaccessreviews", true);
export const selfsubjectaccessreviews = review(selfSubjectAccessReviewSchema, "selfsubjectaccessreviews");
export const selfsubjectrulesreviews = review(selfSubjectRulesReviewSchema, "selfsubjectrulesreviews");
export const subjectaccessreviews = review(subjectAccessReviewSchema, "subjectaccessreviews");
