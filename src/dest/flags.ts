/** Options from the command line that destinations may use; parsed once in the CLI. */
export interface CopyFlags {
  jobs?: number;
  /** false allows plain HTTP / unverified TLS to a registry */
  tlsVerify?: boolean;
  /** "user:pass" */
  creds?: string;
  /** A bearer token to use as is. */
  registryToken?: string;
  /** A file of USERNAME=/PASSWORD= or BEARER_TOKEN= lines. */
  credsFile?: string;
  /** containers-auth.json / docker config.json to read instead of the defaults. */
  authfile?: string;
  /** Extra CA certificate (PEM) to trust. */
  caCert?: string;
  /** Registry destinations: another repository of the same registry to mount layers from. */
  mountFrom?: string;
}
