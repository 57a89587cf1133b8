// The API server's PATCH and apply semantics, one module per flavour.
export { isObject, jsonEqual, type Json, type JsonObject } from "./json";
export { mergePatch } from "./merge-patch";
export { jsonPatch, patchRejected } from "./json-patch";
export { strategicMergePatch } from "./strategic-merge";
export { builtinPatchMeta, type FieldMeta, type PatchMeta, type PatchMetaResolver } from "./patch-meta";
export { schemaPatchMeta } from "./schema-patch-meta";
export { FieldSet, pathString, type ManagedFieldsEntry } from "./managed-fields";
export { recordUpdate, serverSideApply, ssaMerge, type Writer } from "./server-side-apply";
export { carryOver, immutableChanges, nextGeneration } from "./update-rules";
export { applyRequest, prepareUpdate, applyPatchBody, type PatchWriteOptions } from "./writes";
