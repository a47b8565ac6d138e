/** What the Node side of the workerd suites provides to them (test/support/workerd-setup.ts). */
declare module 'vitest' {
  export interface ProvidedContext {
    gitServer: {
      helloUrl: string;
      bigUrl: string;
      scenarioUrl: string;
      helloPostgresUrl: string;
      baseUrl: string;
      controlUrl: string;
    };
    /** The fake GitHub (test/support/fake-github/) with `acme/fleet` and a token that may write to it. */
    fakeGitHub: { apiUrl: string; token: string };
  }
}

export {};
