/** Types of the standalone validators module that load/node/build.ts generates and esbuild aliases. */
declare module "ccgw:validators" {
  interface StandaloneValidator {
    (data: unknown): boolean;
    errors?: { instancePath: string; message?: string }[] | null;
  }
  export const login: StandaloneValidator;
  export const getAgentEvent: StandaloneValidator;
  export const callout: StandaloneValidator;
  export const calloutRequest: StandaloneValidator;
  export const release: StandaloneValidator;
  export const logout: StandaloneValidator;
}
