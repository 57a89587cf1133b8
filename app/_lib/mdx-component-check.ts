import "server-only";

// A remark plugin that fails the compile when MDX uses a capitalised component
// that is neither provided by the app nor imported/declared in the file, or an
// <Exercise> without a literal, unique id and title. Without it, such mistakes
// only show up in the browser, or as an exercise that is never graded.

interface Node {
  type: string;
  name?: string | null;
  attributes?: { type: string; name?: string; value?: unknown }[];
  children?: Node[];
  position?: { start: { line: number; column: number } };
  data?: { estree?: { body: EstreeStatement[] } };
}

interface EstreeStatement {
  type: string;
  specifiers?: { local: { name: string } }[];
  declaration?: { type: string; id?: { name: string } | null; declarations?: { id: { type: string; name?: string } }[] } | null;
}

interface VFileLike {
  fail(message: string, place?: Node["position"]): never;
}

function namesDeclaredInFile(tree: Node): Set<string> {
  const declared = new Set<string>();
  for (const node of tree.children ?? []) {
    if (node.type !== "mdxjsEsm") continue;
    for (const statement of node.data?.estree?.body ?? []) {
      for (const specifier of statement.specifiers ?? []) declared.add(specifier.local.name);
      const declaration = statement.declaration;
      if (declaration?.id) declared.add(declaration.id.name);
      for (const declarator of declaration?.declarations ?? []) {
        if (declarator.id.type === "Identifier" && declarator.id.name) declared.add(declarator.id.name);
      }
    }
  }
  return declared;
}

function* jsxElements(node: Node): Generator<Node> {
  if (node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement") yield node;
  for (const child of node.children ?? []) yield* jsxElements(child);
}

function literalAttribute(element: Node, name: string): string | undefined {
  const attribute = element.attributes?.find((item) => item.type === "mdxJsxAttribute" && item.name === name);
  return typeof attribute?.value === "string" ? attribute.value : undefined;
}

/** `known`: names the app passes to the MDX content as components. */
export function remarkKnownComponents(known: readonly string[]) {
  return () => (tree: Node, file: VFileLike) => {
    const allowed = new Set([...known, ...namesDeclaredInFile(tree)]);
    const exerciseIds = new Set<string>();
    for (const element of jsxElements(tree)) {
      if (element.name === "Exercise") {
        const id = literalAttribute(element, "id");
        if (!id || !literalAttribute(element, "title")) {
          file.fail('<Exercise> needs literal id and title attributes, e.g. <Exercise id="first-pod" title="Run your first pod">.', element.position);
        }
        if (exerciseIds.has(id)) file.fail(`Exercise id "${id}" is used twice in this lesson.`, element.position);
        exerciseIds.add(id);
      }
      // Lower-case names are HTML elements; `a.b` member names are resolved from an import.
      const root = element.name?.split(".")[0];
      if (!root || !/^[A-Z]/.test(root) || allowed.has(root)) continue;
      file.fail(
        `Unknown component <${element.name}>. Lessons can use ${known.map((name) => `<${name}>`).join(", ")}, or import their own.`,
        element.position,
      );
    }
  };
}
