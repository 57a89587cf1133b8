// meta.k8s.io/v1: the metadata every object carries, selectors, conditions and Status.
import { bool, enumOf, field, int32, int64, list, mapOf, pkg, raw, str, time, typeMetaFields } from "./dsl";

const meta = pkg("io.k8s.apimachinery.pkg.apis.meta.v1");

meta.object("ObjectMeta", "Identity and bookkeeping shared by every stored object: name, namespace, labels, annotations, owners, and the fields the server maintains (uid, resourceVersion, timestamps).", {
  name: field(1, str, "Unique name of the object within its namespace (or the cluster, for cluster-scoped kinds). Usually a DNS subdomain. Cannot be changed after creation."),
  generateName: field(2, str, "Prefix for a server-generated name, used when name is empty: the server appends five random characters."),
  namespace: field(3, str, "The namespace the object lives in. Empty means the request's namespace (usually default). Cluster-scoped objects have none."),
  selfLink: field(4, str, "Deprecated and never set."),
  uid: field(5, str, "Identifier the server assigns at creation; unique across the whole life of the cluster, so a recreated object gets a new one. Read-only."),
  resourceVersion: field(6, str, "Opaque version of this object, changed by every write. Send it back on update to fail with a conflict instead of overwriting someone else's change. Read-only."),
  generation: field(7, int64, "A counter of changes to the desired state (spec); controllers report the generation they have seen as status.observedGeneration. Read-only."),
  creationTimestamp: field(8, time, "When the server created the object (UTC). Read-only."),
  deletionTimestamp: field(9, time, "Set when deletion was requested: the object stays, shown as Terminating, until its grace period ends and its finalizers are gone. Read-only.", { ptr: true }),
  deletionGracePeriodSeconds: field(10, int64, "Seconds the object was given to shut down when its deletion was requested. Read-only.", { ptr: true }),
  labels: field(11, mapOf(str), "Key/value pairs used to select and group objects (by Services, Deployments, kubectl -l ...)."),
  annotations: field(12, mapOf(str), "Key/value pairs for tools and people; not used for selection. kubectl apply keeps its last-applied configuration here."),
  ownerReferences: field(13, list(meta.ref("OwnerReference"), { mergeKey: "uid", strategy: "merge", listType: "map", mapKeys: ["uid"] }), "The objects this one belongs to. When every owner is gone, the garbage collector deletes this object. At most one owner is the managing controller."),
  finalizers: field(14, list(str, { strategy: "merge", listType: "set" }), "Names of cleanup steps that must finish before the object may be removed. Deletion only marks the object until this list is empty."),
  managedFields: field(17, list(meta.ref("ManagedFieldsEntry"), { listType: "atomic" }), "Which manager (kubectl, a controller) last set which fields; server-side apply uses it to detect conflicts. Internal: leave it alone."),
});

meta.object("OwnerReference", "Points at the owner of an object, e.g. the ReplicaSet that made a Pod.", {
  apiVersion: field(5, str, "API version of the owner.", { required: true }),
  kind: field(1, str, "Kind of the owner.", { required: true }),
  name: field(3, str, "Name of the owner.", { required: true }),
  uid: field(4, str, "UID of the owner; a new object with the same name is a different owner.", { required: true }),
  controller: field(6, bool, "True on the one owner that manages this object.", { ptr: true }),
  blockOwnerDeletion: field(7, bool, "With foreground deletion, the owner is not removed until this object is gone.", { ptr: true }),
});

meta.object("ManagedFieldsEntry", "One manager's claim on a set of fields.", {
  manager: field(1, str, "Name of the manager (the fieldManager of its requests)."),
  operation: field(2, enumOf("Apply", "Update"), "Apply for server-side apply, Update for other writes."),
  apiVersion: field(3, str, "API version the fields are described in."),
  time: field(4, time, "When this manager last changed its fields.", { ptr: true }),
  fieldsType: field(6, str, "Format of fieldsV1; always FieldsV1."),
  fieldsV1: field(7, raw, "The set of fields, as a tree of f:<name> keys.", { ptr: true }),
  subresource: field(8, str, "The subresource the change came through (status, scale), if any."),
});

meta.object("ListMeta", "Bookkeeping of a list response.", {
  selfLink: field(1, str, "Deprecated and never set."),
  resourceVersion: field(2, str, "The store version the list was read at; watch from here to get every later change."),
  continue: field(3, str, "Token to fetch the next page, when the list was cut by limit."),
  remainingItemCount: field(4, int64, "Roughly how many items the following pages hold.", { ptr: true }),
});

meta.object("LabelSelector", "Selects objects by their labels. Both parts must match; an empty selector matches everything, a missing one nothing.", {
  matchLabels: field(1, mapOf(str), "Labels that must be present with exactly these values."),
  matchExpressions: field(2, list(meta.ref("LabelSelectorRequirement"), { listType: "atomic" }), "Further conditions on labels, all of which must hold."),
});

meta.object("LabelSelectorRequirement", "One condition on a label.", {
  key: field(1, str, "The label key.", { required: true }),
  operator: field(2, enumOf("DoesNotExist", "Exists", "In", "NotIn"), "In or NotIn compare the value with values; Exists and DoesNotExist only look at the key.", { required: true }),
  values: field(3, list(str, { listType: "atomic" }), "Values for In and NotIn; must be empty for Exists and DoesNotExist."),
});

meta.object("FieldSelectorRequirement", "One condition on a field of an object.", {
  key: field(1, str, "The field path, e.g. spec.nodeName.", { required: true }),
  operator: field(2, enumOf("DoesNotExist", "Exists", "In", "NotIn"), "How to compare the field with values.", { required: true }),
  values: field(3, list(str, { listType: "atomic" }), "Values for In and NotIn."),
});

meta.object("Condition", "One aspect of an object's current state, as controllers report it.", {
  type: field(1, str, "What the condition is about, in CamelCase (Ready, Available).", { required: true }),
  status: field(2, enumOf("False", "True", "Unknown"), "Whether the condition holds.", { required: true }),
  observedGeneration: field(3, int64, "The metadata.generation this condition was computed from."),
  lastTransitionTime: field(4, time, "When status last changed.", { required: true }),
  reason: field(5, str, "A one-word, CamelCase cause of the last transition.", { required: true }),
  message: field(6, str, "Details for people.", { required: true }),
});

meta.object("Status", "The result of a request that returns no object, and every error: kubectl prints its message.", {
  metadata: field(1, meta.ref("ListMeta"), "Standard list metadata (mostly empty)."),
  status: field(2, str, "Success or Failure."),
  message: field(3, str, "What happened, for people."),
  reason: field(4, str, "Why it failed, in one CamelCase word (NotFound, AlreadyExists, Invalid, ...)."),
  details: field(5, meta.ref("StatusDetails"), "More about the failure: the object and the invalid fields."),
  code: field(6, int32, "The HTTP status code."),
});

meta.object("StatusDetails", "The object a Status is about and its failing fields.", {
  name: field(1, str, "Name of the object."),
  group: field(2, str, "API group of the object."),
  kind: field(3, str, "Kind (or resource) of the object."),
  uid: field(6, str, "UID of the object, when known."),
  causes: field(4, list(meta.ref("StatusCause"), { listType: "atomic" }), "One entry per problem, e.g. per invalid field."),
  retryAfterSeconds: field(5, int32, "When to try again, for errors that pass."),
});

meta.object("StatusCause", "One reason a request failed.", {
  reason: field(1, str, "Machine-readable cause (FieldValueRequired, FieldValueInvalid, ...)."),
  message: field(2, str, "The problem, for people."),
  field: field(3, str, "The field at fault, e.g. spec.containers[0].image."),
});

meta.object("DeleteOptions", "How to delete an object.", {
  ...typeMetaFields(),
  gracePeriodSeconds: field(1, int64, "Seconds the object gets to shut down; 0 deletes at once.", { ptr: true }),
  preconditions: field(2, meta.ref("Preconditions"), "Only delete if the object still has this uid or resourceVersion."),
  orphanDependents: field(3, bool, "Deprecated: use propagationPolicy.", { ptr: true }),
  propagationPolicy: field(4, enumOf("Background", "Foreground", "Orphan"), "What happens to dependents (e.g. a Deployment's ReplicaSets): Background deletes them afterwards, Foreground first, Orphan keeps them.", { ptr: true }),
  dryRun: field(5, list(str, { listType: "atomic" }), "All: check the deletion without doing it."),
  ignoreStoreReadErrorWithClusterBreakingPotential: field(6, bool, "Delete even an object that cannot be read. Dangerous.", { ptr: true }),
});

meta.object("Preconditions", "Conditions for a deletion.", {
  uid: field(1, str, "The object must have this uid.", { ptr: true }),
  resourceVersion: field(2, str, "The object must have this resourceVersion.", { ptr: true }),
});
