// What a container's wget/curl/nslookup/ping ask of the cluster network. The
// networking part (`engine/sim/network/`) implements it; until it is wired,
// `NO_NETWORK` answers as a container whose DNS and routes lead nowhere.

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ContainerNetwork {
  /** A name as the cluster DNS answers it (search domains applied): the addresses, or none (NXDOMAIN). /etc/hosts is not consulted. */
  resolve(name: string, fromNamespace: string): string[];
  /** One HTTP GET; an Error (its message) when nothing answers (connection refused, timed out). */
  http(ip: string, port: number, path: string): Promise<HttpAnswer | Error> | HttpAnswer | Error;
  /** Whether `ip` answers ICMP echo. */
  ping(ip: string): boolean | Promise<boolean>;
}

export const NO_NETWORK: ContainerNetwork = {
  resolve: () => [],
  http: () => new Error("Connection refused"),
  ping: () => false,
};

/** Environment variables a service adds to pods (`<SVC>_SERVICE_HOST` ...), given by the networking part. */
export type ServiceEnv = (namespace: string, enableServiceLinks: boolean) => Readonly<Record<string, string>>;
