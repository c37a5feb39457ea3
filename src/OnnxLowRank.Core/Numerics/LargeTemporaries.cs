namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// Hands back the memory of a layer's temporaries (decoded weight blocks, Gram matrices, residuals, factors in
/// double), which are large arrays on the large-object heap. The collector sizes its budget for that heap by what
/// survives, here the whole model, so left alone the heap ran about the model's size above the live set
/// (docs/benchmarks.md). A full collection each time <see cref="Interval"/> bytes have been allocated keeps the
/// peak near the live set, and costs little: the heap holds few objects, most of them arrays that are not scanned.
/// </summary>
public static class LargeTemporaries
{
    private const long Interval = 32L << 20;

    private static long _nextCollection = Interval;

    /// <summary>Called when a layer's work is done; collects when enough has been allocated since the last time.</summary>
    public static void Release()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var next = Interlocked.Read(ref _nextCollection);
        // One thread collects per interval; the others go on.
        if (allocated >= next && Interlocked.CompareExchange(ref _nextCollection, allocated + Interval, next) == next)
            GC.Collect();
    }
}
