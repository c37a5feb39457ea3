using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// A paired accumulator's per-batch matrices of sampled input vectors, kept from one batch to the next. New ones per
/// batch (megabytes each, on the large-object heap) set off a background gen-2 collection every few batches, which
/// took a core from the products: the ResNet's refit ran at about half speed on two cores. Paired accumulators live
/// for one wave of a few layers, so keeping theirs costs little; the whitening pass holds every layer's accumulator
/// at once and allocates per batch instead.
/// </summary>
internal static class Scratch
{
    /// <summary><paramref name="kept"/> when it is columns x count already, else a new one stored there. Every entry is overwritten by the layout's Fill.</summary>
    public static RowMajorMatrix Vectors(ref RowMajorMatrix? kept, int columns, int count)
    {
        if (kept is null || kept.Rows != columns || kept.Columns != count) kept = new RowMajorMatrix(columns, count);
        return kept;
    }
}
