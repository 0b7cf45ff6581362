// Entry point for `pulumi up` / `pulumi preview`: the exported function's result becomes the stack outputs.
import { platformProgram } from "./program";

export = platformProgram;
