import type { SystemInfo } from '@optimo-import/mapper';
import type { QuotaState } from './options.js';

/** The limiter's view of a `system.current` answer read by the mapper (`readSystemCurrent`). */
export function quotaStateOf(info: Pick<SystemInfo, 'requests' | 'requestLimit' | 'resetsInSeconds'>): QuotaState {
  return { used: info.requests, limit: info.requestLimit, resetsInSeconds: info.resetsInSeconds };
}
