/** The written forms the rules recognise; shared because several rules skip placeholders or check URLs. */

export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:_([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
export const OCI_REPOSITORY = /^oci:\/\/.+/;
export const ABSOLUTE_URL = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s/]+\S*$/;
export const PLACEHOLDER = /\{\{.*?\}\}|<[^<>]*>/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
