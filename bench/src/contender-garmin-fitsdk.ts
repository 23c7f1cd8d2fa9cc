import type { Contender } from './contender.js';

interface GarminReadResult {
  messages: { recordMesgs?: unknown[] };
  errors: Error[];
}

/**
 * Garmin's FIT JavaScript SDK with its default read options (components expanded, types as
 * strings, dates as Date objects): what its README shows. It reports problems in `errors`
 * instead of throwing; any error there counts as a failure to read the file.
 */
export const garminFitSdkContender: Contender = {
  id: 'garmin-fitsdk',
  label: '@garmin/fitsdk',
  role: 'library',
  formats: ['fit'],
  recordsMeaning: '`messages.recordMesgs.length` from `Decoder.read()`',
  async load() {
    const { Decoder, Stream } = await import('@garmin/fitsdk');
    return {
      parse: (input) => new Decoder(Stream.fromByteArray(input.bytes)).read(),
      inspect: (result) => {
        const { messages, errors } = result as GarminReadResult;
        const records = messages.recordMesgs?.length ?? 0;
        const failure = errors.length > 0 ? errors.map((e) => e.message).join('; ') : undefined;
        return failure ? { records, failure } : { records };
      },
    };
  },
};
