import { startPolicyPack } from "./analyzer-client";
(async () => {
  const h = await startPolicyPack("/work/main/policies/zero-trust");
  console.log(h.name, h.version, h.policies.length, h.startupMs, await h.pluginVersion());
  await h.configure({ "zero-trust-exceptions": { exceptions: [{ name: "pub", reason: "smoke", policies: ["id-12-cloud-run-no-public-invoker"] }] } });
  const t = Date.now();
  const r = await h.analyze({ urn: "urn:pulumi:s::p::aws:eks/cluster:Cluster::c", type: "aws:eks/cluster:Cluster", name: "c", properties: { accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } } });
  console.log(JSON.stringify(r, null, 1), Date.now()-t);
  console.log(JSON.stringify(await h.analyze({ urn: "u2", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", name: "pub", properties: { member: "allUsers" } })));
  console.log(JSON.stringify(await h.analyze({ urn: "u3", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", name: "x", properties: { member: "allUsers" } })));
  await h.close();
})();
