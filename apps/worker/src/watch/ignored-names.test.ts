import { describe, expect, it } from 'vitest';
import { isIgnoredName, isIgnoredPath } from './ignored-names.js';

describe('isIgnoredName', () => {
  it.each(['.DS_Store', '.hidden.fit', '.~lock.ride.fit#', '~$ride.fit', 'ride.fit.part', 'ride.FIT.PART', 'ride.partial', 'ride.fit.crdownload', 'ride.download', 'ride.tmp', 'ride.fit~', 'ride.fit.error.json', '20240501.pdd', '20240501.PDD', 'Thumbs.db', 'desktop.ini'])(
    'ignores %s',
    (name) => expect(isIgnoredName(name)).toBe(true),
  );
  it.each(['ride.fit', 'ride.fit.gz', 'week.zip', 'part.fit', 'tmp.gpx', 'error.json', 'done.fit', 'ride (1).tcx', '24050101.hrm', '24050101.gpx'])('keeps %s', (name) => expect(isIgnoredName(name)).toBe(false));
});

describe('isIgnoredPath', () => {
  it.each(['done', 'failed', 'Done/x.fit', 'done/alice/x.fit', 'alice/done/x.fit', 'alice/failed', 'alice/2024/failed/x.fit', '.git/x.fit', 'alice/.sync/x.fit', 'alice/x.part'])(
    'ignores %s',
    (path) => expect(isIgnoredPath(path)).toBe(true),
  );
  it.each(['', 'x.fit', 'alice/x.fit', 'alice/done.fit', 'doneness/x.fit'])('keeps %s', (path) => expect(isIgnoredPath(path)).toBe(false));
});
