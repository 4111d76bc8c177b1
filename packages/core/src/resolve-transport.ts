import {
  ClustrError,
  RESTORE_TRANSPORT_EXPORT,
  type RestoreTransport,
  type Transport,
  type TransportDescriptor,
  toClustrError,
} from '@clustr/protocol';

/**
 * Rebuilds the transport a parent described (`CLUSTR_TRANSPORT`): imports its module and calls
 * its `restoreTransport` export. The core never imports a concrete transport itself.
 */
export async function restoreTransport(descriptor: TransportDescriptor): Promise<Transport> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(descriptor.module)) as Record<string, unknown>;
  } catch (error) {
    throw toClustrError(
      error,
      'ERR_CLUSTR_NO_TRANSPORT',
      `cannot load the "${descriptor.name}" transport inherited from the parent (module ${descriptor.module})`,
    );
  }
  const restore = mod[RESTORE_TRANSPORT_EXPORT];
  if (typeof restore !== 'function') {
    throw new ClustrError(
      'ERR_CLUSTR_NO_TRANSPORT',
      `module ${descriptor.module} of the "${descriptor.name}" transport has no ${RESTORE_TRANSPORT_EXPORT}() export`,
    );
  }
  try {
    return (restore as RestoreTransport)(descriptor.options);
  } catch (error) {
    throw toClustrError(
      error,
      'ERR_CLUSTR_NO_TRANSPORT',
      `cannot restore the "${descriptor.name}" transport`,
    );
  }
}
