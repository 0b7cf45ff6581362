/** The small shared contracts of the components: CIDR arithmetic, name formats, marks. */
export * from "./cidr";
export * from "./names";
export * from "./private-ranges";
export * from "./secrets";
