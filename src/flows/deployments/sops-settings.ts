/**
 * A deployment repository's sensitive-value settings (issue 15): `sops.ageRecipients` and
 * `allowPlaintextSecrets`, checked when saved and kept as one `RepositorySops` record field.
 */
import type {
  DeploymentRepositoryConfig,
  DeploymentRepositoryPatchConfig,
} from '../../config/deployment-repositories.js';
import { checkAgeRecipients } from '../../sops/index.js';
import type { RepositorySops } from '../../store/deployment-records.js';

type SopsFields = Pick<DeploymentRepositoryConfig, 'sops' | 'allowPlaintextSecrets'>;

/** The record field from the settings; null when neither is set. */
export function repositorySops(settings: SopsFields): RepositorySops | null {
  const ageRecipients = settings.sops?.ageRecipients ?? [];
  checkAgeRecipients(ageRecipients);
  const allowPlaintextSecrets = settings.allowPlaintextSecrets ?? false;
  if (ageRecipients.length === 0 && !allowPlaintextSecrets) return null;
  return { ageRecipients: [...new Set(ageRecipients)], allowPlaintextSecrets };
}

/** The settings fields of an update: the patch's where given, the stored ones otherwise. */
export function sopsSettingsOf(
  current: RepositorySops | null | undefined,
  patch: DeploymentRepositoryPatchConfig,
): SopsFields {
  const ageRecipients = patch.sops === null ? [] : (patch.sops?.ageRecipients ?? current?.ageRecipients ?? []);
  return {
    ...(ageRecipients.length > 0 ? { sops: { ageRecipients } } : {}),
    allowPlaintextSecrets: patch.allowPlaintextSecrets ?? current?.allowPlaintextSecrets ?? false,
  };
}
