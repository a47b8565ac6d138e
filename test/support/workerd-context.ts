/** What the Node side of the workerd suites provides to them (test/support/workerd-setup.ts). */
declare module 'vitest' {
  export interface ProvidedContext {
    gitServer: { helloUrl: string; bigUrl: string; baseUrl: string; controlUrl: string };
  }
}

export {};
