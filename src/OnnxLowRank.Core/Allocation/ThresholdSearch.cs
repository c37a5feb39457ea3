namespace OnnxLowRank.Core.Allocation;

/// <summary>
/// The one threshold search of the allocators: a binary search over candidates ordered so that fitting is
/// monotone (once one fits, all later ones do). ALDS searches error bounds, svd-energy discarded shares, ARSVD
/// kept shares, uniform rank ratios; a ladder's cheapest step within a score and a spectrum's smallest rank
/// keeping a share are the same search over one layer.
/// </summary>
internal static class ThresholdSearch
{
    /// <summary>
    /// The first index whose threshold fits, given that once one fits all later ones do;
    /// <paramref name="count"/> when none fits.
    /// </summary>
    public static int FirstFitting(int count, Func<int, bool> fits)
    {
        int low = 0, high = count;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            if (fits(middle)) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    /// <summary>
    /// Every layer's choice at the first candidate threshold whose total cost is within <paramref name="target"/>;
    /// <paramref name="noneFits"/> when none is.
    /// </summary>
    public static RankChoice[] FirstWithin<T>(IReadOnlyList<T> thresholds, Func<T, RankChoice[]> choicesAt, double target, Func<RankChoice[]> noneFits)
    {
        var first = FirstFitting(thresholds.Count, i => SingleSliceAllocation.Total(choicesAt(thresholds[i])) <= target);
        return first < thresholds.Count ? choicesAt(thresholds[first]) : noneFits();
    }
}
