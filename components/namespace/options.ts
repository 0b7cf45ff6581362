import type * as pulumi from "@pulumi/pulumi";

/**
 * `opts.dependsOn` of a component as a list its children can extend: a component's dependsOn does not
 * reach the resources it creates (the Node SDK resolves dependsOn per resource), so in-cluster components
 * that take their prerequisites from opts pass them on. A resource or a list (not an Output of a list).
 */
export function dependsOnList(dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (dependsOn === undefined) return [];
    return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}
