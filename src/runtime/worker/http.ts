/**
 * Outbound Git over HTTP on Workers: isomorphic-git's web client (fetch). Workers reach only
 * public addresses, which stands in for the Node address guard; what Workers cannot do (a private
 * CA, a client certificate) fails with a clear error, and redirects may not leave HTTPS unless
 * the registry allows plain HTTP.
 */
import web from 'isomorphic-git/http/web';
import { BridgeError } from '../../errors.js';
import type { RegistryHttp } from '../../registry/index.js';
import type { RegistryTls } from '../../registry/interface.js';
import { redactUrl } from '../../urls.js';

export function webGitHttp(settings: { allowHttp?: boolean; tls?: RegistryTls | null; url?: string }): RegistryHttp {
  if (settings.tls && (settings.tls.caCert || settings.tls.clientCert || settings.tls.clientKey)) {
    throw new BridgeError(
      'REGISTRY_TLS',
      `${settings.url ? `${redactUrl(settings.url)}: ` : ''}Workers cannot use a private CA or client certificate; run margo-bridge as a container for this server`,
    );
  }
  return {
    client: {
      async request(request) {
        const response = await web.request(request);
        if (response.url.startsWith('http:') && settings.allowHttp !== true) {
          throw new BridgeError('REGISTRY_PROTOCOL', `refused to follow a redirect to ${redactUrl(response.url)}`);
        }
        return response;
      },
    },
    close() {},
  };
}
