// The components every lesson's MDX can use by name, handed to getMDXComponent.
import type { ComponentType } from "react";
import { Callout } from "./Callout";
import type { MdxComponentName } from "./component-names";
import { Exercise } from "./Exercise";
import { Run } from "./Run";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each component has its own props; MDX passes them untyped.
export const mdxComponents: Record<MdxComponentName, ComponentType<any>> = { Run, Exercise, Callout };
