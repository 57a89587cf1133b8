// The components lesson MDX may use without importing them. Plain data so the
// server-side compiler can reject unknown names; the client map in
// ./components.ts is typed against this list so the two cannot drift apart.
export const mdxComponentNames = ["Run", "Exercise", "Callout"] as const;

export type MdxComponentName = (typeof mdxComponentNames)[number];
