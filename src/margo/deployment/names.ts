/**
 * The deployment name: `<applicationId>-deployment`, as in the specification's examples.
 * The target is not part of it because every deployment already lives under its target's
 * directory and goes to that target's cluster or device; an update keeps the name it has.
 */
export function deploymentName(applicationId: string): string {
  return `${applicationId}-deployment`;
}
