export { checkCustomResources, formatCrdCheck, isCustomResourceType, fieldErrors } from "./validate";
export type { CheckedResource, CrdCheck, CrdProblem, NotChecked } from "./validate";
export { crdSchemas, constraintSchemas, gvkOf } from "./schemas";
export type { ServedSchema, SourcedObject, StructuralSchema } from "./schemas";
export { translateRoot, objectMeta } from "./translate";
export { evaluateRules } from "./cel";
export { unrenderedCrdGroups } from "./unserved";
