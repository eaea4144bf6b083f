import { describe, expect, it } from '@jest/globals';

import { WriteCoalescer } from './write-coalescer';

/** A write target that records its requests and finishes each one when told to. */
function recordingTarget() {
  const requests: number[][] = [];
  const finishers: ((error?: Error) => void)[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push(items);
      finishers.push((error) => (error ? reject(error) : resolve()));
    });
  const finishNext = async (error?: Error) => {
    finishers.shift()?.(error);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { requests, write, finishNext };
}

describe('WriteCoalescer', () => {
  it('sends a lone write at once, as it is', async () => {
    const target = recordingTarget();
    const coalescer = new WriteCoalescer(target.write, 10);
    const written = coalescer.add([1, 2, 3]);
    expect(target.requests).toEqual([[1, 2, 3]]);
    await target.finishNext();
    await expect(written).resolves.toBeUndefined();
  });

  it('merges the writes that arrive during a request into the next one, up to the limit', async () => {
    const target = recordingTarget();
    const coalescer = new WriteCoalescer(target.write, 5);
    const first = coalescer.add([1]);
    const waiting = [coalescer.add([2, 3]), coalescer.add([4, 5]), coalescer.add([6, 7])];
    expect(target.requests).toEqual([[1]]);
    await target.finishNext();
    await first;
    expect(target.requests).toEqual([[1], [2, 3, 4, 5]]);
    await target.finishNext();
    expect(target.requests).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
    await target.finishNext();
    await expect(Promise.all(waiting)).resolves.toHaveLength(3);
  });

  it('splits a write larger than the limit, and settles it when its last piece is written', async () => {
    const target = recordingTarget();
    const coalescer = new WriteCoalescer(target.write, 2);
    let settled = false;
    const written = coalescer.add([1, 2, 3, 4, 5]).then(() => (settled = true));
    await target.finishNext();
    await target.finishNext();
    expect(settled).toBe(false);
    await target.finishNext();
    await written;
    expect(target.requests).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every write of a failed request, and only those', async () => {
    const target = recordingTarget();
    const coalescer = new WriteCoalescer(target.write, 10);
    const first = coalescer.add([1]);
    const merged = [coalescer.add([2]), coalescer.add([3])];
    await target.finishNext();
    await first;
    const later = coalescer.add([4]);
    await target.finishNext(new Error('chroma is down'));
    for (const write of merged) {
      await expect(write).rejects.toThrow('chroma is down');
    }
    await target.finishNext();
    await expect(later).resolves.toBeUndefined();
    expect(target.requests).toEqual([[1], [2, 3], [4]]);
  });
});
