/**
 * A minimal Pulumi Engine gRPC service (Log, GetRootResource, SetRootResource), served on
 * 127.0.0.1 so a policy pack can be started with an engine address exactly as `pulumi preview`
 * starts it. Packs built on @pulumi/policy do not dial it today, but the plugin contract passes
 * the address and the SDK's logger may use it; anything logged is kept in `logs`.
 */
import * as grpc from "@grpc/grpc-js";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

export interface EngineLog {
    severity: number;
    message: string;
    urn: string;
}

export interface EngineStub {
    /** "127.0.0.1:<port>", the first argument run-policy-pack takes. */
    address: string;
    logs: EngineLog[];
    close(): Promise<void>;
}

export async function startEngineStub(): Promise<EngineStub> {
    const server = new grpc.Server();
    const logs: EngineLog[] = [];
    let root = "";
    server.addService(engineRpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<enginePb.LogRequest, Empty>, cb: grpc.sendUnaryData<Empty>) => {
            logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
            cb(null, new Empty());
        },
        getRootResource: (_call: unknown, cb: grpc.sendUnaryData<enginePb.GetRootResourceResponse>) => {
            cb(null, new enginePb.GetRootResourceResponse().setUrn(root));
        },
        setRootResource: (call: grpc.ServerUnaryCall<enginePb.SetRootResourceRequest, enginePb.SetRootResourceResponse>, cb: grpc.sendUnaryData<enginePb.SetRootResourceResponse>) => {
            root = call.request.getUrn();
            cb(null, new enginePb.SetRootResourceResponse());
        },
    } as any);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return {
        address: `127.0.0.1:${port}`,
        logs,
        close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    };
}
